# exp36: what a GPU sleep before each replay does to small launches
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_CONFIG_TABLE=0
cd /tmp
nvidia-smi --query-gpu=clocks.sm,clocks.mem,clocks.max.sm,power.draw,pstate --format=csv
timeout ${T1:-240} python3 $REPO/.gpu/exp36.py 2>&1 | grep -v "^W11" | tee $OUT/exp36.log
