# session 2026-11-28d (H200): exp76 (short-K many-tile layers at M = 128-512)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp76.py 2>&1 | grep -v "^W11" | tee $OUT/exp76.log
