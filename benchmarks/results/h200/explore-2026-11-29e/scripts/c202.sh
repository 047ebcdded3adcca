# exp158: the decoder-layer graph at M = 48 / 64 with v68 on and off
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp158.py > $OUT/exp158.log 2>&1; echo "exp158 rc=$?"
cut -c1-250 $OUT/exp158.log | tail -8
