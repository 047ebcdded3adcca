# exp31 (N >= 4096 at M = 48-128: 64-row 4-warp tiles against the rule, three rounds; ~2-3 min)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${T:-300} python3 $REPO/.gpu/exp31.py 2>&1 | grep -v "^W11" | tee $OUT/exp31.log
