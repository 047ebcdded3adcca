# exp123 (v61 CUDA-core subs on fresh layers vs v59), exp124 (persistent serving launches vs the rule's tile launches)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp123.py 2>&1 | grep -v "^W11" > $OUT/exp123.log; echo "exp123 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp124.py 2>&1 | grep -v "^W11" > $OUT/exp124.log; echo "exp124 rc=$?"
cat $OUT/exp123.log
cat $OUT/exp124.log
