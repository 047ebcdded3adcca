# exp156: a candidate rule for M = 33-64 (decode kernel, 64-row TMA tiles) on layers exp155 did not time
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 540 python3 $REPO/.gpu/exp156.py > $OUT/exp156.log 2>&1; echo "exp156 rc=$?"
cut -c1-420 $OUT/exp156.log
