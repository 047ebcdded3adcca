# exp92 (stage rule by DRAM bandwidth) + exp91 (host breakdown, module bound) + GPU checks, installed from a wheel
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip wheel -q --no-deps --no-build-isolation -w /tmp/whl . 2>&1 | grep -v WARN | tail -2
python3 -m pip install -q --no-deps --force-reinstall /tmp/whl/fp8blk-*.whl 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp92.py 2>&1 | grep -v "^W11" | tee $OUT/exp92.log
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp91.py 2>&1 | grep -v "^W11" | tee $OUT/exp91.log
cd $REPO && FP8BLK_CONFIG_TABLE=0 timeout 240 python3 tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "gpu checks rc=$?"
grep -c " ok " $OUT/gpu_checks.txt; grep -i "fail\|bound launch" $OUT/gpu_checks.txt | tail -12
