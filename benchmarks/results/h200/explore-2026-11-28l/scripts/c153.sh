set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp119.py 2>&1 | grep -v "^W11" > $OUT/exp119.log
cat $OUT/exp119.log
