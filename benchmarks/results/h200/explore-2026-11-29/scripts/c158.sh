# exp125: rule v62 candidate (64-row serving build in any number of waves) against v61
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp125.py 2>&1 | grep -v "^W11" > $OUT/exp125.log; echo "exp125 rc=$?"
cat $OUT/exp125.log
