# the GPU checks on rule v73 (the split-K tail change)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 330 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v73.txt 2>&1; echo "checks rc=$?"
grep -c "  ok  " $OUT/gpu_checks_v73.txt; grep -E "FAIL" $OUT/gpu_checks_v73.txt | head -5 | cut -c1-200; tail -2 $OUT/gpu_checks_v73.txt
