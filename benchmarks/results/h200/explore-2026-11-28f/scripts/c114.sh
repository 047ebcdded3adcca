# session 2026-11-28f: exp87 (v47 check on 10 unseen layers), then the GPU checks on v47
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp87.py 2>&1 | grep -v "^W11" | tee $OUT/exp87.log
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
