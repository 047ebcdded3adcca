# next session: exp28b (the warp-specialized Gluon kernel): numerics first under a short timeout, then timings
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 120 python3 $REPO/.gpu/exp28b.py --check 2>&1 | grep -v "^W11" | tee $OUT/exp28b_check.log; rc=$?
echo "check rc=$rc"
[ $rc = 0 ] && timeout ${T:-400} python3 $REPO/.gpu/exp28b.py 2>&1 | grep -v "^W11" | tee $OUT/exp28b.log
