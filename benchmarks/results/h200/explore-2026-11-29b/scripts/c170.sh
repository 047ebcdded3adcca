# v64: GPU checks (table off, installed non-editable), then the harness on V4-Pro and V4-Flash against Marlin and cuBLAS
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 230 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v64.txt 2>&1; echo "gpu checks rc=$?"
R=/tmp/res; mkdir -p $R
I=fp8blk,marlin,cublas_bf16
timeout 150 fp8blk bench --model deepseek-v4-pro --config-table off --out /tmp/b_pro --impl $I > /tmp/pro.log 2>&1; echo "pro rc=$?"
for r in pro:b_pro; do d=$R/${r%%:*}; mkdir -p $d; cp /tmp/${r%%:*}.log /tmp/${r##*:}/*/*/results.json /tmp/${r##*:}/*/*/results.md $d/ 2>/dev/null; done
tar czf $OUT/res_pro.tgz -C $R .
timeout 130 fp8blk bench --model deepseek-v4-flash --config-table off --out /tmp/b_flash --impl $I > /tmp/flash.log 2>&1; echo "flash rc=$?"
for r in flash:b_flash; do d=$R/${r%%:*}; mkdir -p $d; cp /tmp/${r%%:*}.log /tmp/${r##*:}/*/*/results.json /tmp/${r##*:}/*/*/results.md $d/ 2>/dev/null; done
tar czf $OUT/res.tgz -C $R .
grep -v ": ok" $OUT/gpu_checks_v64.txt | tail -8
grep -c ": ok" $OUT/gpu_checks_v64.txt
grep -h "Geometric" $R/*/results.md
