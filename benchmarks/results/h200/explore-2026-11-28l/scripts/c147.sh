# rules v57-v58: GPU checks, then exp114 (the library against v56's launch)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL\|Error" $OUT/gpu_checks.txt | head; grep "v57\|v58\|M=3 N=8192\|M=5 N=4000" $OUT/gpu_checks.txt | tail -4
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp114.py 270 2>&1 | grep -v "^W11" > $OUT/exp114.log
tail -52 $OUT/exp114.log
