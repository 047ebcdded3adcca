# exp122 (persistent serving kernel vs v59), exp121 (CUDA-core subs), GPU checks on the persistent kernel
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp122.py 2>&1 | grep -v "^W11" > $OUT/exp122.log; echo "exp122 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp121.py 2>&1 | grep -v "^W11" > $OUT/exp121.log; echo "exp121 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
grep -c " ok" $OUT/gpu_checks.txt; grep -i "fail" $OUT/gpu_checks.txt | head
cat $OUT/exp121.log
cat $OUT/exp122.log
