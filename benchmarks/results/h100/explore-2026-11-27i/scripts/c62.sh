# exp35 (per-replay cost of the graph timing), then a decode sweep at M = 4 and 16 on the 8 MB+ layers
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin FP8BLK_CONFIG_TABLE=0
cd /tmp
timeout ${T1:-200} python3 $REPO/.gpu/exp35.py 2>&1 | grep -v "^W11" | tee $OUT/exp35.log
timeout ${TS:-330} python3 -m fp8blk.bench.sweep --points 4096x8192x16,32768x1024x16,7168x16384x16,3072x7168x16,7168x3072x16,2048x4096x16,4096x8192x4,7168x16384x4 --json $OUT/sweep62.json 2>&1 | grep -v "^W11" > $OUT/sweep62.log; echo "sweep rc=$?"
sed -n '/^   N     K/,$p' $OUT/sweep62.log
