# exp166 + exp167 (prepared, not run): M = 1 on the deep-stream layers — row-piece launches of M = 2's geometry, and
# the deep stream itself with row pieces under a register cap
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29f/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $S/exp166.py > $OUT/exp166.log 2>&1; echo "exp166 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $S/exp167.py > $OUT/exp167.log 2>&1; echo "exp167 rc=$?"
cut -c1-400 $OUT/exp166.log $OUT/exp167.log
