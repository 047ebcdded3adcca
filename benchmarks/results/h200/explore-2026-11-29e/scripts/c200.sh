# v68: GPU checks (table off, installed non-editable) and exp157 (v68 against v67 through the library)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
rm -rf /tmp/oldk && mkdir -p /tmp/oldk && cp -r $REPO/.gpu/oldk/kernels_v67 /tmp/oldk/ && cp $REPO/.gpu/exp157.py /tmp/
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 280 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v68.txt 2>&1; echo "gpu checks rc=$?"
grep -c "  ok  \|: ok" $OUT/gpu_checks_v68.txt; grep -c FAIL $OUT/gpu_checks_v68.txt; grep "v68\|FAIL\|N=1536 K=7168\|N=8192 K=1024" $OUT/gpu_checks_v68.txt | cut -c1-200; tail -2 $OUT/gpu_checks_v68.txt | cut -c1-200
FP8BLK_CONFIG_TABLE=0 timeout 250 python3 /tmp/exp157.py > $OUT/exp157.log 2>&1; echo "exp157 rc=$?"
cut -c1-260 $OUT/exp157.log
