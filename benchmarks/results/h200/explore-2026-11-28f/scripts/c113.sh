# session 2026-11-28f: exp86 fit (decode kernel at M = 96-256 on small/mid layers), then exp85 (narrow v47 check)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 LAYERS=fit timeout 300 python3 $REPO/.gpu/exp86.py 2>&1 | grep -v "^W11" | tee $OUT/exp86_fit.log
FP8BLK_CONFIG_TABLE=0 timeout 160 python3 $REPO/.gpu/exp85.py 2>&1 | grep -v "^W11" | tee $OUT/exp85.log
