# session 2026-11-27f call 2: GPU checks (direct launch + host changes), host overhead A/B (main 7864542 vs now), tiny --shapes
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
python3 -m pip install -q --no-deps --no-index --target /tmp/oldpkg .gpu/oldwhl/*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
nvidia-smi --query-gpu=name,clocks.max.sm,memory.total --format=csv,noheader
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
grep -E "FAIL" $OUT/gpu_checks.txt | tail -5; grep -c "  ok  " $OUT/gpu_checks.txt
for r in 1 2; do
timeout 60 python3 $REPO/benchmarks/launch_overhead.py > $OUT/launch_overhead_new$r.txt 2>&1; head -8 $OUT/launch_overhead_new$r.txt
PYTHONPATH=/tmp/oldpkg timeout 60 python3 $REPO/benchmarks/launch_overhead.py > $OUT/launch_overhead_old$r.txt 2>&1; head -8 $OUT/launch_overhead_old$r.txt
done
timeout 220 fp8blk bench --shapes $REPO/benchmarks/example_shapes.json --config-table off --out /tmp/bench > $OUT/tiny.log 2>&1; echo "tiny rc=$?"
tr '\r' '\n' < $OUT/tiny.log | grep -v "^\[" | grep -v "not timed" | tail -8
for d in /tmp/bench/*/*; do for f in $d/*; do cp $f $OUT/$(basename $d)_$(basename $f); done; done
