# GPU checks on the v36 tree, then the unseen-shapes run (example-tiny, table off)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . .whl/gemlite-*.whl 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton && echo "triton cache restored"
cd /tmp
timeout ${TC:-240} python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?"
tail -60 $OUT/gpu_checks.txt | grep -v "^ *ok\b" | tail -25; grep -c "ok" $OUT/gpu_checks.txt
cd $REPO && T=${T:-300} bash .gpu/c45.sh 2>&1 | tail -8
