# v76: the GPU checks, then the harness on V4-Flash and V4-Pro (Marlin and cuBLAS in the same run); each part's
# output lands in $OUT as it finishes (the session's device time is nearly spent: the last part may be cut)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v76.txt 2>&1; echo "checks rc=$?"
grep -c ": ok" $OUT/gpu_checks_v76.txt; grep -E "FAIL" $OUT/gpu_checks_v76.txt | head -5 | cut -c1-200; grep "v76" $OUT/gpu_checks_v76.txt | cut -c1-200
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
I=fp8blk,marlin,cublas_bf16
for l in flash:110 pro:150; do
  name=${l%%:*}; t=${l##*:}
  timeout $t fp8blk bench --model deepseek-v4-$name --config-table off --out /tmp/b_$name --impl $I > /tmp/$name.log 2>&1; echo "$name rc=$?"
  mkdir -p $OUT/$name; cp /tmp/$name.log /tmp/b_$name/*/*/results.json /tmp/b_$name/*/*/results.md $OUT/$name/ 2>/dev/null
  grep -h "Geometric" $OUT/$name/results.md | cut -c1-150
done
