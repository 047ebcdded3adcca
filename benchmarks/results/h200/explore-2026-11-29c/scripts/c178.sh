# exp141: the decode kernel's 32-row launches (M = 17-32) on large layers: split, stages, 128-row tiles
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 420 python3 $REPO/.gpu/exp141.py > $OUT/exp141.log 2>&1; echo "exp141 rc=$?"
cut -c1-260 $OUT/exp141.log | grep -v "^  bn" | tail -40
grep -c "Error" $OUT/exp141.log
