# next session, first call: exp47 (transient or state, peers too; ~1 min), then two short Pro runs with the
# block-built harness inputs (c67's runs, ~30 s)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 150 python3 $REPO/.gpu/exp47.py 2>&1 | grep -v "^W11" | tee $OUT/exp47.log; echo "rc=$?"
cd $REPO && bash .gpu/c67.sh 2>&1 | grep -E "run|7168x16384|65536x1536" | head -44
