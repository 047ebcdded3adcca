# exp38 (three graph-timing methods), then the Flash harness with back-to-back replays
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin FP8BLK_CONFIG_TABLE=0
cd /tmp
timeout 150 python3 $REPO/.gpu/exp38.py 2>&1 | grep -v "^W11" | tee $OUT/exp38.log
cd $REPO && MODEL=flash T=400 bash .gpu/c42.sh 2>&1 | grep -v "triton cache saved" | head -3
rm -f $OUT/triton-cache.tgz
