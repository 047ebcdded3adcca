# exp166 (prepared, not run): M = 1 on deep-stream layers against row-piece launches of M = 2's geometry
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/benchmarks/results/h200/explore-2026-11-29f/scripts/exp166.py > $OUT/exp166.log 2>&1; echo "exp166 rc=$?"
cut -c1-400 $OUT/exp166.log
