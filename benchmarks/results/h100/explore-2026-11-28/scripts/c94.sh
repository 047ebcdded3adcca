# next GPU session (prepared 2026-11-28): exp68 (rule v41's gaps), then the DeepSeek-V3 harness run on v41 (shapes no
# rule was fitted on; table off; if cut at its limit, resume it on the same machine: fp8blk bench ... --resume).
# Carry .gpu, .whl (gemlite wheel), .marlin/src-0.33.0.
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${TE:-260} python3 $REPO/.gpu/exp68.py ${PARTS:-ABC} 2>&1 | grep -v "^W11" | tee $OUT/exp68.log
T=$((585 - (SECONDS - S0)))
echo "harness T=$T"
timeout $T fp8blk bench --model deepseek-v3 --config-table off --out /tmp/b_v3 > /tmp/v3.log 2>&1; echo "v3 rc=$?"
mkdir -p $OUT/v3; cp /tmp/v3.log $OUT/v3/; cp /tmp/b_v3/*/deepseek-v3/results.* $OUT/v3/ 2>/dev/null; cp /tmp/b_v3/partial_records.json $OUT/v3/ 2>/dev/null
grep "Geometric\|Time falling" $OUT/v3/results.md
