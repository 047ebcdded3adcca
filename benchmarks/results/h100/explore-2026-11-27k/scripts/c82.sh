# v39 A/B (exp51, ~3 min), then the GPU checks on the v39 tree
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout 300 python3 $REPO/.gpu/exp51.py 2>&1 | grep -v "^W11" > $OUT/exp51.log; echo "rc51=$?"
timeout 220 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"
cat $OUT/exp51.log | cut -c1-200
grep FAILED $OUT/gpu_checks.txt | head
