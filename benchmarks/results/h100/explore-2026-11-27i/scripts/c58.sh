# next session, first call: GPU checks on the final tree (v37's two new checks), then exp32 (L2 prefetch before the PDL wait)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${TC:-240} python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
grep -cE "^\S.{55,}  ok  " $OUT/gpu_checks.txt; grep -E "FAIL" $OUT/gpu_checks.txt | head
timeout ${T:-300} python3 $REPO/.gpu/exp32.py 2>&1 | grep -v "^W11" | tee $OUT/exp32.log
