# prepared 2026-11-28f (not run): exp90 (the eager launch gap of item 82)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp90.py 2>&1 | grep -v "^W11" | tee $OUT/exp90.log
