# exp98: the gated split/depth candidate (rule v49 data) against v48 on layers none timed
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $REPO/.gpu/exp98.py 2>&1 | grep -v "^W11" | tee $OUT/exp98.log
