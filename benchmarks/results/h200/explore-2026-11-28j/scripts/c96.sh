# session 2026-11-28b: rule v42 (split-x 128x128 w8 on long K at M > 3 64x64 tiles per SM; split-x 64x64 at M = 33-64)
# harness MODEL (flash|pro|v3) with the config table off; RESUME=1 resumes the previous partial run on this machine;
# CHECKS=1 runs the GPU checks first; IMPL=... passes --impl (a V3 run fits one call without the W8A8 peers); a run
# cut at its limit still leaves its reports (--render-checkpoint)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
nvidia-smi --query-gpu=name --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
if [ -n "$CHECKS" ]; then
  timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
  echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep -i "FAIL" $OUT/gpu_checks.txt | head
fi
MODEL=${MODEL:-flash}
case $MODEL in v3) NAME=deepseek-v3;; *) NAME=deepseek-v4-$MODEL;; esac
T=$((588 - (SECONDS - S0)))
echo "harness $NAME T=$T"
timeout $T fp8blk bench --model $NAME --config-table off --out /tmp/b_$MODEL ${RESUME:+--resume} ${IMPL:+--impl $IMPL} >> /tmp/$MODEL.log 2>&1; echo "$MODEL rc=$?"
ls /tmp/b_$MODEL/*/$NAME/results.md >/dev/null 2>&1 || fp8blk bench --out /tmp/b_$MODEL --render-checkpoint > /dev/null 2>&1
mkdir -p $OUT/$MODEL; cp /tmp/$MODEL.log $OUT/$MODEL/; cp /tmp/b_$MODEL/*/$NAME/results.* $OUT/$MODEL/ 2>/dev/null; cp /tmp/b_$MODEL/partial_records.json $OUT/$MODEL/ 2>/dev/null
tail -3 /tmp/$MODEL.log
grep -B2 -A12 "ayer graph" $OUT/$MODEL/results.md | head -16; grep "Geometric" $OUT/$MODEL/results.md
