# exp34: graph timing with vs without a head start before each replay
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin FP8BLK_CONFIG_TABLE=0
cd /tmp
timeout ${T:-500} python3 $REPO/.gpu/exp34.py 2>&1 | grep -v "^W11" | tee $OUT/exp34.log
