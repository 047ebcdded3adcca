# next session: the unseen-shapes run (benchmarks/example_shapes.json), table off, over as many calls as it takes.
# After a call cut short: cp <files_at>/ex/partial_records.json .gpu/ex/ and run this again (it resumes).
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
mkdir -p $REPO/.gpu/ex; cd /tmp
RESUME=""; [ -f $REPO/.gpu/ex/partial_records.json ] && RESUME=--resume
S=$SECONDS
timeout ${T:-540} fp8blk bench --shapes $REPO/benchmarks/example_shapes.json --config-table off --out $REPO/.gpu/ex $RESUME > /tmp/ex.log 2>&1; echo "ex rc=$? $((SECONDS-S))s"
mkdir -p $OUT/ex; cp /tmp/ex.log $OUT/ex/; cp $REPO/.gpu/ex/partial_records.json $OUT/ex/ 2>/dev/null
for d in $REPO/.gpu/ex/*/*/; do [ -f $d/results.json ] && mkdir -p $OUT/ex/$(basename $d) && cp $d/results.* $OUT/ex/$(basename $d)/; done
grep -h "Geometric" $OUT/ex/*/results.md 2>/dev/null
