# v74: the GPU checks, then the harness on V4-Pro and V4-Flash (Marlin and cuBLAS in the same run)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 270 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v74.txt 2>&1; echo "checks rc=$?"
grep -c ": ok" $OUT/gpu_checks_v74.txt; grep -E "FAIL" $OUT/gpu_checks_v74.txt | head -5 | cut -c1-200; tail -1 $OUT/gpu_checks_v74.txt | cut -c1-150
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
R=/tmp/res; mkdir -p $R
I=fp8blk,marlin,cublas_bf16
timeout 140 fp8blk bench --model deepseek-v4-pro --config-table off --out /tmp/b_pro --impl $I > /tmp/pro.log 2>&1; echo "pro rc=$?"
timeout 105 fp8blk bench --model deepseek-v4-flash --config-table off --out /tmp/b_flash --impl $I > /tmp/flash.log 2>&1; echo "flash rc=$?"
for r in pro:b_pro flash:b_flash; do d=$R/${r%%:*}; mkdir -p $d; cp /tmp/${r%%:*}.log /tmp/${r##*:}/*/*/results.json /tmp/${r##*:}/*/*/results.md $d/ 2>/dev/null; done
tar czf $OUT/res.tgz -C $R .
grep -h "Geometric" $R/*/results.md | cut -c1-120
