# exp173: each launch's share of the V4 decoder-layer graphs at M = 1 (rule v72)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $S/exp173.py > $OUT/exp173.log 2>&1
echo "exp173 rc=$?"
cat $OUT/exp173.log
