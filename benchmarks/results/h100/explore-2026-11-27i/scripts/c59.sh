# next session: exp33 (gl28 with 3 bf16 tiles and/or an 8-warp converter): numerics under a timeout, then timings
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 120 python3 $REPO/.gpu/exp33.py --check 2>&1 | grep -v "^W11" | tee $OUT/exp33_check.log; rc=$?
echo "check rc=$rc"
[ $rc = 0 ] && timeout ${T:-300} python3 $REPO/.gpu/exp33.py 2>&1 | grep -v "^W11" | tee $OUT/exp33.log
