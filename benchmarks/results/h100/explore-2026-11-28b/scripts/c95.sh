# session 2026-11-28b call 1 (branch split-x-pdl): GPU checks, exp69 (PDL split vs plain), exp68 (v41 gaps)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL\|error" $OUT/gpu_checks.txt | head
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp69.py 2>&1 | grep -v "^W11" | tee $OUT/exp69.log
T=$((590 - (SECONDS - S0)))
echo "exp68 T=$T"
FP8BLK_CONFIG_TABLE=0 timeout $T python3 $REPO/.gpu/exp68.py ${PARTS:-ABC} 2>&1 | grep -v "^W11" | tee $OUT/exp68.log
