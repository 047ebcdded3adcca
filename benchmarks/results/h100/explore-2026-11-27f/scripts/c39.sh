# session 2026-11-27b call 1: run_all on this tree, exp21 (split-K threshold), exp23 (decode M=3-8 small layers)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
S=$SECONDS
timeout 200 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$? $((SECONDS-S))s"
grep -E "FAIL" $OUT/gpu_checks.txt | tail -5; grep -c "  ok  " $OUT/gpu_checks.txt
S=$SECONDS
timeout 130 python3 $REPO/.gpu/exp23.py 2>&1 | grep -v "^W11" > $OUT/exp23.log; echo "exp23 $((SECONDS-S))s"
S=$SECONDS
timeout 230 python3 $REPO/.gpu/exp21.py 2>&1 | grep -v "^W11" > $OUT/exp21.log; echo "exp21 $((SECONDS-S))s"
grep -v "^    " $OUT/exp23.log
cat $OUT/exp21.log
