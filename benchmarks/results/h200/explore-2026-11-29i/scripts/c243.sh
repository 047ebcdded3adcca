# exp186: the decode kernel on the tile launch's own 64x64 geometry at M = 33-64, against the rule (rotation > 2x L2)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29i/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 420 python3 $S/exp186.py > $OUT/exp186.log 2>&1
echo "exp186 rc=$?"
cut -c1-230 $OUT/exp186.log
