# exp30 (decode rule v36 vs v35, ~2 min), then the Flash harness (resumable)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout ${T:-200} python3 $REPO/.gpu/exp30.py 2>&1 | grep -v "^W11" | tee $OUT/exp30.log
cd $REPO && MODEL=flash T=${HT:-380} bash .gpu/c42.sh 2>&1 | tail -30
