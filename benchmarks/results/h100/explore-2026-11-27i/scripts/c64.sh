# exp37: the sleep head start with and without PDL
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_CONFIG_TABLE=0
cd /tmp
for pdl in 1 0 1 0; do FP8BLK_PDL=$pdl timeout 120 python3 $REPO/.gpu/exp37.py 2>&1 | grep -v "^W11"; done | tee $OUT/exp37.log
