# DeepSeek-V3 and unseen shapes: fp8blk, Marlin, cuBLAS (no W8A8/GemLite peers), config table off
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 200 fp8blk bench --model deepseek-v3 --config-table off --out /tmp/b_v3 --impl fp8blk,marlin,cublas_bf16 > /tmp/v3.log 2>&1; echo "v3 rc=$?"
timeout 150 fp8blk bench --shapes $REPO/.gpu/unseen_shapes.json --config-table off --out /tmp/b_un --impl fp8blk,marlin,cublas_bf16 > /tmp/un.log 2>&1; echo "unseen rc=$?"
mkdir -p $OUT/v3 $OUT/unseen; cp /tmp/v3.log /tmp/b_v3/*/*/results.* $OUT/v3/ 2>/dev/null; cp /tmp/un.log /tmp/b_un/*/*/results.* $OUT/unseen/ 2>/dev/null
grep -A14 "^| issue" $OUT/v3/results.md; grep -A14 "^| issue" $OUT/unseen/results.md; grep "Geometric" $OUT/*/results.md
