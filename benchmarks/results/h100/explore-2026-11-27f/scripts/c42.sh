set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
S=$SECONDS
timeout ${T:-420} fp8blk bench --model deepseek-v4-$MODEL --config-table off --out /tmp/b_$MODEL > /tmp/$MODEL.log 2>&1; echo "$MODEL rc=$? $((SECONDS-S))s"
mkdir -p $OUT/$MODEL; cp /tmp/$MODEL.log $OUT/$MODEL/; cp /tmp/b_$MODEL/*/deepseek-v4-$MODEL/results.* $OUT/$MODEL/ 2>/dev/null; cp /tmp/b_$MODEL/partial_records.json $OUT/$MODEL/ 2>/dev/null
grep -B2 -A12 "ayer graph" $OUT/$MODEL/results.md | head -16; grep "Geometric" $OUT/$MODEL/results.md
