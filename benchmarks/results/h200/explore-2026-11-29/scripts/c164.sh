# GemLite M = 1 target (issue 11) on v63: V4-Flash and V4-Pro at M = 1, fp8blk against GemLite's A16W8 FP8 GEMV
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . $REPO/.whl/gemlite-0.6.0.post2.tar.gz 2>&1 | grep -v WARN | tail -2
python3 -c "import gemlite; print('gemlite', gemlite.__version__)"
cd /tmp
R=/tmp/res; mkdir -p $R
timeout 90 fp8blk bench --model deepseek-v4-flash --m 1 --no-layer-graph --config-table off --out /tmp/g_flash --impl fp8blk,gemlite_a16w8_fp8 > /tmp/gflash.log 2>&1; echo "flash rc=$?"
timeout 90 fp8blk bench --model deepseek-v4-pro --m 1 --no-layer-graph --config-table off --out /tmp/g_pro --impl fp8blk,gemlite_a16w8_fp8 > /tmp/gpro.log 2>&1; echo "pro rc=$?"
for r in flash:g_flash pro:g_pro; do d=$R/${r%%:*}; mkdir -p $d; cp /tmp/g${r%%:*}.log /tmp/${r##*:}/*/*/results.json /tmp/${r##*:}/*/*/results.md $d/ 2>/dev/null; done
tar czf $OUT/gemlite.tgz -C $R .
grep -h "GemLite" $R/*/results.md | head -4
tail -3 /tmp/gflash.log /tmp/gpro.log
