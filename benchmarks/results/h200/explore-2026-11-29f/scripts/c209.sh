# v69: the GPU checks (installed non-editable, from /tmp)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v69.txt 2>&1; echo "checks rc=$?"
grep -c " ok" $OUT/gpu_checks_v69.txt; grep -i "fail" $OUT/gpu_checks_v69.txt | head; tail -5 $OUT/gpu_checks_v69.txt | cut -c1-200
