# session 2026-11-28e: exp84 (v47 check), then the GPU checks on v47
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 100 python3 $REPO/.gpu/exp84.py 2>&1 | grep -v "^W11" | tee $OUT/exp84.log
timeout 90 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
