# exp39: rotated K-step order per decode program vs the library's, 3 allocations each
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_CONFIG_TABLE=0
cd /tmp
timeout ${T:-400} python3 $REPO/.gpu/exp39.py 2>&1 | grep -v "^W11" | tee $OUT/exp39.log
