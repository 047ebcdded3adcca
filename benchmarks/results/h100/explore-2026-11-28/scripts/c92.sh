# GPU checks on rule v41 (low terms from the tile boundary, three-per-SM split-x tiles, decode on small layers),
# then exp66 and the host cost per call
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 220 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep "FAIL" $OUT/gpu_checks.txt | head; tail -3 $OUT/gpu_checks.txt
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp66.py 2>&1 | grep -v "^W11" | tee $OUT/exp66.log
FP8BLK_CONFIG_TABLE=0 timeout 60 python3 -m fp8blk.bench.launch_overhead 2>&1 | grep -v "^W11" | head -9 | tee $OUT/launch_overhead.txt
