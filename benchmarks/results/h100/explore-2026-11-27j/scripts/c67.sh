# item 47: does the slow level on the >= 96 MB layers appear in a short harness run? Two runs (fp8blk, Marlin; M = 1-16),
# nvidia-smi sampled every 0.5 s (clocks, temperatures, throttle reasons, power)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,temperature.memory,power.draw,clocks_throttle_reasons.active --format=csv -lms 500 > $OUT/smi.csv 2>&1 &
SMI=$!
for run in 1 2; do
  timeout 200 fp8blk bench --model deepseek-v4-pro --m 1,2,4,8,16 --impl fp8blk,marlin --no-layer-graph --config-table off --out /tmp/b$run > $OUT/run$run.log 2>&1; echo "run $run rc=$?"
  python3 - /tmp/b$run <<'PY'
import json, sys, glob
path = glob.glob(sys.argv[1] + "/*/deepseek-v4-pro/results.json")[0]
d = json.load(open(path))
for r in d["records"]:
    if r["N"] * r["K"] > 90e6 and r["layer"] in ("attn.wo_b", "attn.wq_b"):
        print(f"  {r['N']}x{r['K']} M={r['M']:<2} {r['impl']:<7} {r['median_us']:6.1f} p10 {r['p10_us']:6.1f} p90 {r['p90_us']:6.1f}")
PY
done
kill $SMI
awk -F', ' 'NR>1 {print $2, $3, $4, $5, $7}' $OUT/smi.csv | sort | uniq -c | sort -rn | head -12
