# prepared 2026-11-28d (not run): plan after v45 item 2 — M = 1 on >= 32 MB layers, H200: the rule against the
# decode sweep (CUDA-core and tensor-core tiles, splits, stages), ~70 s a point with 15 compile workers
set -o pipefail
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-560} python3 -m fp8blk.bench.sweep --workers 15 --top 8 --json $OUT/sweep79.json \
  --points 7168x18432x1,18432x7168x1,65536x1536x1,32768x1024x1,4096x8192x1,24576x1536x1,14336x4096x1 \
  2>&1 | grep -v "^W11" | tee $OUT/sweep79.log
