# exp48 (M = 33-64 tile launches, ~3 min) then exp50 (decode launches at M = 2-16 on >= 32 MB layers, Marlin beside)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 330 python3 $REPO/.gpu/exp50.py 2>&1 | grep -v "^W11" > $OUT/exp50.log; echo "rc50=$?"
timeout 230 python3 $REPO/.gpu/exp48.py 2>&1 | grep -v "^W11" > $OUT/exp48.log; echo "rc48=$?"
grep -v "^    " $OUT/exp50.log | sed -E 's/  +/ /g' | cut -c1-300
grep -v "^    " $OUT/exp48.log | sed -E 's/  +/ /g' | cut -c1-400
