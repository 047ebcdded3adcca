# v74: the harness on the unseen list and DeepSeek-V3 (Marlin and cuBLAS in the same run)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
R=/tmp/res; mkdir -p $R
I=fp8blk,marlin,cublas_bf16
timeout 100 fp8blk bench --shapes $REPO/.gpu/unseen_shapes.json --config-table off --out /tmp/b_un --impl $I > /tmp/un.log 2>&1; echo "unseen rc=$?"
timeout 140 fp8blk bench --model deepseek-v3 --config-table off --out /tmp/b_v3 --impl $I > /tmp/v3.log 2>&1; echo "v3 rc=$?"
for r in un:b_un v3:b_v3; do d=$R/${r%%:*}; mkdir -p $d; cp /tmp/${r%%:*}.log /tmp/${r##*:}/*/*/results.json /tmp/${r##*:}/*/*/results.md $d/ 2>/dev/null; done
tar czf $OUT/res.tgz -C $R .
grep -h "Geometric" $R/*/results.md | cut -c1-120
