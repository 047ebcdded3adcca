# session 2026-11-28b: exp70 (rule v42 against v41 on layers not fitted) with the device time left
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-280} python3 $REPO/.gpu/exp70.py 2>&1 | grep -v "^W11" | tee $OUT/exp70.log
