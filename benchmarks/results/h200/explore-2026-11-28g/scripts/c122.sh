# exp95 (balanced TMA decode splits) + launch_overhead (interleaved)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp95.py 2>&1 | grep -v "^W11" | tee $OUT/exp95.log
FP8BLK_CONFIG_TABLE=0 timeout 100 python3 -m fp8blk.bench.launch_overhead 2>&1 | grep -v "^W11" | tee $OUT/launch_overhead.log | head -8
