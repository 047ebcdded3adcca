# exp48 (next session): M = 33-64 launches that leave SMs idle or split short, against 64 x 64 tiles (~3 min)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout ${T:-560} python3 $REPO/.gpu/exp48.py 2>&1 | grep -v "^W11" > $OUT/exp48.log; echo "rc=$?"
grep -v "^    " $OUT/exp48.log | sed -E 's/  +/ /g' | cut -c1-400
