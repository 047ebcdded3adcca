# next session: exp27 (exp24's candidates, three alternating rounds; ~220 timings, ~2 min warm)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout ${T:-400} python3 $REPO/.gpu/exp27.py 2>&1 | grep -v "^W11" | tee $OUT/exp27.log
