# session 2026-11-28e: exp83 (tensor-core decode launches at M = 4 / 16 with more weight in flight)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 230 python3 $REPO/.gpu/exp83.py 2>&1 | grep -v "^W11" | tee $OUT/exp83.log
