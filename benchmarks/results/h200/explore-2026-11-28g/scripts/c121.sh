# exp94: M = 48/64 on 8-16 MB layers (data for the next session)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 330 python3 $REPO/.gpu/exp94.py 2>&1 | grep -v "^W11" | tee $OUT/exp94.log
