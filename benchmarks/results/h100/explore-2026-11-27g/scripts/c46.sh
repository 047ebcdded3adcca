# session 2026-11-27b call 1: run_all (checks) then exp24 (serving tile shapes)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
S=$SECONDS
timeout 200 python3 tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "checks rc=$? $((SECONDS-S))s"; grep -ciE "\bok\b" $OUT/gpu_checks.txt; grep -iE "fail|error" $OUT/gpu_checks.txt | head; tail -3 $OUT/gpu_checks.txt
cd /tmp
L=$((585-SECONDS))
timeout $L python3 $REPO/.gpu/exp24.py 2>&1 | grep -v "^W11" > $OUT/exp24.log; echo "exp24 rc=$? $((SECONDS-S))s"
grep -v "^    " $OUT/exp24.log | tail -60
