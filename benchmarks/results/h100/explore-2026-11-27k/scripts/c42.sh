set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
# a Triton cache carried from an earlier machine (.gpu/triton-cache.tgz) skips the cold compiles
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton && echo "triton cache restored"
cd /tmp
S=$SECONDS
RESUME=""; [ -n "$RESUME_DIR" ] && [ -f $RESUME_DIR/partial_records.json ] && mkdir -p /tmp/b_$MODEL && cp $RESUME_DIR/partial_records.json /tmp/b_$MODEL/ && RESUME=--resume
timeout ${T:-420} fp8blk bench --model deepseek-v4-$MODEL --config-table off --out /tmp/b_$MODEL $RESUME > /tmp/$MODEL.log 2>&1; echo "$MODEL rc=$? $((SECONDS-S))s"
mkdir -p $OUT/$MODEL; cp /tmp/$MODEL.log $OUT/$MODEL/; cp /tmp/b_$MODEL/*/deepseek-v4-$MODEL/results.* $OUT/$MODEL/ 2>/dev/null; cp /tmp/b_$MODEL/partial_records.json $OUT/$MODEL/ 2>/dev/null
# keep the compiled kernels for the next machine (returned as one file when small enough to carry)
tar czf /tmp/triton-cache.tgz -C ~/.triton cache 2>/dev/null && [ $(stat -c %s /tmp/triton-cache.tgz) -lt 40000000 ] && cp /tmp/triton-cache.tgz $OUT/ && echo "triton cache saved ($(stat -c %s /tmp/triton-cache.tgz) B)"
grep -B2 -A12 "ayer graph" $OUT/$MODEL/results.md | head -16; grep "Geometric" $OUT/$MODEL/results.md
