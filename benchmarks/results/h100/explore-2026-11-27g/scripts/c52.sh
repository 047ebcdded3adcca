# next session: exp28b (the warp-specialized Gluon kernel): numerics first under a short timeout, then timings
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 120 python3 $REPO/.gpu/exp28b.py --check 2>&1 | grep -v "^W11" | tee $OUT/exp28b_check.log; rc=$?
echo "check rc=$rc"
[ $rc = 0 ] && timeout ${T:-300} python3 $REPO/.gpu/exp28b.py 2>&1 | grep -v "^W11" | tee $OUT/exp28b.log
# then ncu (v30's metric set, as in c29.sh): the rule against gl28 at M = 256
M=$(grep -o "^M=[^ ]*" $REPO/.gpu/c29.sh | head -1 | cut -c3-)
[ $rc = 0 ] && timeout 150 ncu --metrics $M -k regex:"fp8_block_matmul_kernel|fp8_wgmma_ws_kernel" --csv python3 $REPO/.gpu/prof28b.py > $OUT/ncu28b.csv 2>$OUT/ncu28b.err; echo "ncu rc=$?"
