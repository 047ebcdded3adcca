# exp132: v64 (stream schedule) against v63; serving vs expand at M = 768-4096
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 520 python3 $REPO/.gpu/exp132.py > $OUT/exp132.log 2>&1; echo "exp132 rc=$?"
cut -c1-250 $OUT/exp132.log
