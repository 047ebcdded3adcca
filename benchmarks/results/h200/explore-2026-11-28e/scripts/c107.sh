# session 2026-11-28e: exp80 (rule v46 vs v45 at M = 1 on 24 layers no M = 1 rule was fitted on)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp80.py 2>&1 | grep -v "^W11" | tee $OUT/exp80.log
