# prepared 2026-11-28 (not run): exp71 (the v42 V3 misses: 128-row tiles slightly more than the SMs)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-400} python3 $REPO/.gpu/exp71.py ${PARTS:-EABCD} 2>&1 | grep -v "^W11" | tee $OUT/exp71.log
