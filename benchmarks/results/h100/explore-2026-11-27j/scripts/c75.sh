# exp45: the slow level vs which prior work (item 51)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout ${T:-60} python3 $REPO/.gpu/exp45.py 2>&1 | grep -v "^W11" | tee $OUT/exp45.log; echo "rc=$?"
