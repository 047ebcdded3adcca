# prepared 2026-11-28d (not run): plan after v45 item 2 — M = 1 on >= 16 MB layers: exp79 (the rule against
# launches with more bytes in flight, 12 layers), then the full decode sweep of four large layers with the time left
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $REPO/.gpu/exp79.py 2>&1 | grep -v "^W11" | tee $OUT/exp79.log
FP8BLK_CONFIG_TABLE=0 timeout $((570 - (SECONDS - S0))) python3 -m fp8blk.bench.sweep --workers 15 --top 8 \
  --json $OUT/sweep79.json --points 7168x18432x1,18432x7168x1,65536x1536x1,4096x8192x1 \
  2>&1 | grep -v "^W11" | tee $OUT/sweep79.log
