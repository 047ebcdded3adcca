# exp42: the slow level vs the weight data (item 51), ~1-2 min
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${T:-200} python3 $REPO/.gpu/exp42.py 2>&1 | grep -v "^W11" | tee $OUT/exp42.log; echo "rc=$?"
