# GPU checks (split-x rows) then the V4-Flash harness run on rule v40
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 240 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
echo "ok rows: $(grep -c "  ok  " $OUT/gpu_checks.txt)"; grep "FAIL" $OUT/gpu_checks.txt | head; grep "split" $OUT/gpu_checks.txt | tail -6
cd $REPO
MODEL=flash T=${T:-400} bash .gpu/c42.sh; rm -f $OUT/triton-cache.tgz
