# exp129 (v63: persistent only for unsplit multi-wave launches) and the GPU checks on it
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp129.py 2>&1 | grep -v "^W11" > $OUT/exp129.log; echo "exp129 rc=$?"
cat $OUT/exp129.log
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 280 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
grep -c " ok" $OUT/gpu_checks.txt; grep -i "fail" $OUT/gpu_checks.txt | head
