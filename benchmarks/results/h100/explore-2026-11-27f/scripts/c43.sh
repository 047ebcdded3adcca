# next session, call 1 (~250-350 s): exp24 (serving tile shapes on N < 7168)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
timeout 500 python3 $REPO/.gpu/exp24.py 2>&1 | grep -v "^W11" | tee $OUT/exp24.log | grep -v "^    "
