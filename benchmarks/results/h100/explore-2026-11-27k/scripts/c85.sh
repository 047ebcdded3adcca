# next session: CUDA cores at M = 3-8 on the smallest layers (the rule takes tensor cores from M = 3; 512x4096 M=2
# CUDA cores 3.4 us against M=4 tensor cores 5.1), with the sweep's CUDA-core grid now reaching M = 8. ~3 min.
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 500 python3 -m fp8blk.bench.sweep --workers 15 --top 6 --json $OUT/sweep85.json \
  --points 512x4096x4,512x4096x8,512x7168x4,1024x4096x4,2048x4096x4 2>&1 | grep -v "^  skip" | tee $OUT/sweep85.txt
