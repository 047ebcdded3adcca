# session 2026-11-28e: rule v46 — the GPU checks, then exp81 (v46 vs v45 at M = 1 on 14 layers no M = 1 rule was fitted on)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp81.py 2>&1 | grep -v "^W11" | tee $OUT/exp81.log
