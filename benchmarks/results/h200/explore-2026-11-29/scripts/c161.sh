# exp128: one-wave serving launches on the 2-D grid again (candidate) vs v62 (1-D) vs v59
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp128.py 2>&1 | grep -v "^W11" > $OUT/exp128.log; echo "exp128 rc=$?"
cat $OUT/exp128.log
