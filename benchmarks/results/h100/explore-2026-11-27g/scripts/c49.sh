# session 2026-11-27b call 4: the V4-Flash harness with rule v35, then V4-Pro at M <= 64 (the points v35 can move)
S0=$SECONDS
MODEL=flash T=430 bash .gpu/c42.sh
cd $REPO 2>/dev/null || true
L=$((585-SECONDS+S0)); echo "pro subset limit ${L}s"
cd /tmp
timeout $L fp8blk bench --model deepseek-v4-pro --m 1,2,4,8,16,24,32,48,64 --impl fp8blk,marlin,cublas_bf16 --no-layer-graph --config-table off --out /tmp/b_prosub > /tmp/prosub.log 2>&1; echo "prosub rc=$?"
mkdir -p $OUT/prosub; cp /tmp/prosub.log $OUT/prosub/; cp /tmp/b_prosub/*/deepseek-v4-pro/results.* $OUT/prosub/ 2>/dev/null; cp /tmp/b_prosub/partial_records.json $OUT/prosub/ 2>/dev/null
grep "Geometric" $OUT/prosub/results.md
