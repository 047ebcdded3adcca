# v50: GPU checks (installed non-editable) then exp101 (serving kernel on/off, host us)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp101.py 2>&1 | grep -v "^W11" | tee $OUT/exp101.log
cd $REPO && FP8BLK_CONFIG_TABLE=0 timeout 260 python3 tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1
echo "gpu checks rc=$?"; echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL\|serving\|Error" $OUT/gpu_checks.txt | head -20; tail -3 $OUT/gpu_checks.txt
