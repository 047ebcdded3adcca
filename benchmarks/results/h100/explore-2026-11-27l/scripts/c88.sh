set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 120 python3 $REPO/.gpu/conv59.py 2>&1 | grep -v "^W11" | tee $OUT/exp59.log
