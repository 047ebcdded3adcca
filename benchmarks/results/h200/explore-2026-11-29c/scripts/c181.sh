# GPU checks on rule v65 (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v65.txt 2>&1; echo "gpu checks rc=$?"
grep -c "  ok  \|: ok" $OUT/gpu_checks_v65.txt; grep -c FAIL $OUT/gpu_checks_v65.txt; grep "v65\|M=24 N=32768\|M=20 N=10240" $OUT/gpu_checks_v65.txt | cut -c1-200; tail -3 $OUT/gpu_checks_v65.txt | cut -c1-200
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp143.py > $OUT/exp143.log 2>&1; echo "exp143 rc=$?"
cut -c1-200 $OUT/exp143.log
