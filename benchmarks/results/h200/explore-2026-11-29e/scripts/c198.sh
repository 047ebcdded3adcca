# exp155: the decode kernel past its boundary on small and mid layers (M = 48-128)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 540 python3 $REPO/.gpu/exp155.py > $OUT/exp155.log 2>&1; echo "exp155 rc=$?"
cut -c1-420 $OUT/exp155.log
