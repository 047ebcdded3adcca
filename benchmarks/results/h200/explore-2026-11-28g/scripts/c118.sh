# exp90 (eager GPU gap) + exp91 (host breakdown) + launch_overhead, on the tree as it is
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.max.mem --format=csv | tee $OUT/gpu.txt
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp90.py 2>&1 | grep -v "^W11" | tee $OUT/exp90.log
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp91.py 2>&1 | grep -v "^W11" | tee $OUT/exp91.log
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 -m fp8blk.bench.launch_overhead 2>&1 | grep -v "^W11" | tee $OUT/launch_overhead.log | head -12
