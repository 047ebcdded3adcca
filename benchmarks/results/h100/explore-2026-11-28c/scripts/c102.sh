# prepared 2026-11-28c (not run): exp75 (the decode kernel's 64-row tiles split 2/4/8 at M = 40-64 on few-tile long-K layers)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-200} python3 $REPO/.gpu/exp75.py 2>&1 | grep -v "^W11" | tee $OUT/exp75.log
