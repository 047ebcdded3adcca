# rules v55-v56: exp112 (against v54's launch at the points where they differ), then the GPU checks
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp112.py 260 2>&1 | grep -v "^W11" | tee $OUT/exp112.log
cd $REPO && FP8BLK_CONFIG_TABLE=0 timeout 240 python3 tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1
echo "gpu checks rc=$?"; echo "ok rows: $(grep -c ": ok \|  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
