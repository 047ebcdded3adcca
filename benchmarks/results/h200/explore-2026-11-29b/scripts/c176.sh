# GPU checks after the review commit 130b992 (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v64_review.txt 2>&1; echo "gpu checks rc=$?"
grep -c "  ok  " $OUT/gpu_checks_v64_review.txt; grep -c FAIL $OUT/gpu_checks_v64_review.txt; grep stream $OUT/gpu_checks_v64_review.txt | tail -3 | cut -c1-200
