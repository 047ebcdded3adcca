# exp40: 64 x 128 tiles at M = 128-256 against the rule (three rounds), ~3-5 min warm
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${T:-560} python3 $REPO/.gpu/exp40.py 2>&1 | grep -v "^W11" > $OUT/exp40.log; echo "rc=$?"
grep -v "^    " $OUT/exp40.log | sed -E 's/  +/ /g' | cut -c1-400
