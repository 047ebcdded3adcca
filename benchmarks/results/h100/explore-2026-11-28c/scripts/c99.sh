# session 2026-11-28c: exp72 (rule v44 against v43 where they differ), then the GPU checks
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-200} python3 $REPO/.gpu/exp72.py 2>&1 | grep -v "^W11" | tee $OUT/exp72.log
if [ -n "$CHECKS" ]; then
  timeout ${TC:-300} python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
  echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
fi
