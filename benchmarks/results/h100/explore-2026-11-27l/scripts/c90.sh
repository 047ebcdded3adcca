# GPU checks on v40 (split-x rows, integer path fixed), then exp62 (v40 vs v39 vs cuBLAS at M = 96-512)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout 200 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep "FAIL" $OUT/gpu_checks.txt | head; grep "split" $OUT/gpu_checks.txt | tail -6
FP8BLK_CONFIG_TABLE=0 timeout ${T:-150} python3 $REPO/.gpu/exp62.py 2>&1 | grep -v "^W11" | tee $OUT/exp62.log
