# M = 1 K-split sweep on the >= 32 MB layers (plan after v37 item 2), then exp33 (c59)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${TS:-240} python3 -m fp8blk.bench.sweep --points 7168x16384x1,7168x18432x1,18432x7168x1,65536x1536x1 --json $OUT/sweep60.json 2>&1 | grep -v "^W11" > $OUT/sweep60.log; echo "sweep rc=$?"
tail -60 $OUT/sweep60.log
cd $REPO && T=${T:-240} bash .gpu/c59.sh
