# next session, first call: GPU checks on the tree with the host-path changes (NOTES item 49), then the host A/B:
# benchmarks/launch_overhead.py with this tree against a6372c9 (before item 49; its wheel in .gpu/oldwhl), 3 rounds
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
python3 -m pip install -q --no-deps --no-index --target /tmp/oldpkg .gpu/oldwhl/*.whl 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
grep -E "FAIL" $OUT/gpu_checks.txt | tail -5; grep -cE "^\S.{55,}  ok  " $OUT/gpu_checks.txt
for r in 1 2 3; do
timeout 60 python3 $REPO/benchmarks/launch_overhead.py > $OUT/launch_overhead_new$r.txt 2>&1; head -8 $OUT/launch_overhead_new$r.txt
PYTHONPATH=/tmp/oldpkg timeout 60 python3 $REPO/benchmarks/launch_overhead.py > $OUT/launch_overhead_old$r.txt 2>&1; head -8 $OUT/launch_overhead_old$r.txt
done
