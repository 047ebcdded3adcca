# session 2026-11-28d (H200): exp77 (rule v45 vs v44 on unseen short-K layers), then the GPU checks on v45
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 $REPO/.gpu/exp77.py 2>&1 | grep -v "^W11" | tee $OUT/exp77.log
echo "exp77 done at $((SECONDS - S0)) s"
timeout $((570 - (SECONDS - S0))) python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head; echo "all done at $((SECONDS - S0)) s"
