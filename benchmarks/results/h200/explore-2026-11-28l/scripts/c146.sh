# GPU checks on main (v55/v56 rows new), then exp113 (v55 below M = 8; 64-row serving build in several waves)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL\|Error" $OUT/gpu_checks.txt | head
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp113.py 260 2>&1 | grep -v "^W11" > $OUT/exp113.log
tail -60 $OUT/exp113.log
