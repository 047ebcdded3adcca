# next session: exp28 (16/32-row tensor-core decode tiles on layers <= 8 MB; ~630 timings, ~4-5 min warm)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout ${T:-520} python3 $REPO/.gpu/exp28.py 2>&1 | grep -v "^W11" | tee $OUT/exp28.log
