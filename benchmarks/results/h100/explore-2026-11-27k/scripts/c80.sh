# exp49: the tile kernel with the sum read after every K-tile (ptxas C7515 serialization gone) vs the library, ~4 min
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${T:-560} python3 $REPO/.gpu/exp49.py 2>&1 | grep -v "^W11" > $OUT/exp49.log; echo "rc=$?"
grep -v "^    " $OUT/exp49.log | sed -E 's/  +/ /g' | cut -c1-400
