# exp115 (v58 final form on layers no rule was fitted on) and exp116 (M = 24 against 32: the build or the rows)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp116.py 2>&1 | grep -v "^W11" > $OUT/exp116.log
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp115.py 260 2>&1 | grep -v "^W11" > $OUT/exp115.log
cat $OUT/exp116.log; tail -26 $OUT/exp115.log
