# GPU checks on rule v66 (installed non-editable, table off); the previous call's run stopped at its 150 s timeout
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 -u $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v66.txt 2>&1; echo "gpu checks rc=$?"
grep -c ": ok" $OUT/gpu_checks_v66.txt; grep -c FAIL $OUT/gpu_checks_v66.txt; tail -2 $OUT/gpu_checks_v66.txt | cut -c1-160
