# exp44: the slow level vs state or placement (item 51)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout ${T:-90} python3 $REPO/.gpu/exp44.py 2>&1 | grep -v "^W11" | tee $OUT/exp44.log; echo "rc=$?"
