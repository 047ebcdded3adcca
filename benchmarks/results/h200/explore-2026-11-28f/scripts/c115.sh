# session 2026-11-28f: exp88 (eager vs graphed launch cost) under three environments
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
for e in "" "FP8BLK_PDL=0" "FP8BLK_TMA=0"; do
  env $e FP8BLK_CONFIG_TABLE=0 timeout 100 python3 $REPO/.gpu/exp88.py 2>&1 | grep -v "^W11" | tee -a $OUT/exp88.log
done
