# next session (plan after v39, item 2b): the decode launch on the 8-22 MB layers at M = 1/2 (36-66% of read BW;
# 1536x7168 M=2 on CUDA cores 9.4 us > M=4's tensor-core 8.8: the one Pro time-fall point). ~3 min.
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 -m fp8blk.bench.sweep --workers 15 --top 6 --json $OUT/sweep83.json \
  --points 1536x7168x1,1536x7168x2,8192x1536x1,8192x1536x2,2048x4096x1,4096x2048x1,8192x1024x2,3072x7168x1,7168x3072x1 \
  2>&1 | grep -v "^  skip" | tee $OUT/sweep83.txt
