# exp146 (PDL between the split of x and the serving kernel) against v66, then the GPU checks (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp -r $REPO/.gpu/oldk /tmp/oldk && cp $REPO/.gpu/exp146.py /tmp/
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 -u /tmp/exp146.py > $OUT/exp146.log 2>&1; echo "exp146 rc=$?"
# FP8BLK_CONFIG_TABLE=0 timeout 230 python3 -u $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v67.txt 2>&1; echo "gpu checks rc=$?"
# grep -c ": ok" $OUT/gpu_checks_v67.txt; grep -c FAIL $OUT/gpu_checks_v67.txt; grep FAIL $OUT/gpu_checks_v67.txt | head -5 | cut -c1-200
grep -v "^stress" $OUT/exp146.log | cut -c1-170 | tail -75; grep "^stress" $OUT/exp146.log | cut -c1-150
