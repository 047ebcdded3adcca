# GPU checks on rule v50 (installed from the tree, non-editable)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd $REPO && FP8BLK_CONFIG_TABLE=0 timeout 300 python3 tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1
echo "gpu checks rc=$?"; echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head; tail -3 $OUT/gpu_checks.txt
