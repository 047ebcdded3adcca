# rule v41 with the terms tensor [2 * low_row, K]: GPU checks, exp66 (M = 80-128), then the V4-Flash harness
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 150 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep "FAIL" $OUT/gpu_checks.txt | head
FP8BLK_CONFIG_TABLE=0 timeout 60 python3 $REPO/.gpu/exp66.py 2>&1 | grep -v "^W11" | head -8 | tee $OUT/exp66.log
MODEL=${MODEL:-flash}
T=$((585 - (SECONDS - S0)))
echo "harness T=$T"
timeout $T fp8blk bench --model deepseek-v4-$MODEL --config-table off --out /tmp/b_$MODEL > /tmp/$MODEL.log 2>&1; echo "$MODEL rc=$?"
mkdir -p $OUT/$MODEL; cp /tmp/$MODEL.log $OUT/$MODEL/; cp /tmp/b_$MODEL/*/deepseek-v4-$MODEL/results.* $OUT/$MODEL/ 2>/dev/null; cp /tmp/b_$MODEL/partial_records.json $OUT/$MODEL/ 2>/dev/null
grep -B2 -A12 "ayer graph" $OUT/$MODEL/results.md | head -16; grep "Geometric" $OUT/$MODEL/results.md
