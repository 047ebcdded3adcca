# next session, call 2 (~150-250 s): exp25 (decode M = 2..16 on layers <= 8 MB: fewer splits, CUDA-core row blocks)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 400 python3 $REPO/.gpu/exp25.py 2>&1 | grep -v "^W11" | tee $OUT/exp25.log | grep -v "^    "
