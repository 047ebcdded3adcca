# exp178: inside the split-K tail (relaxed reset): atomic, sum, store, reset per program
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $S/exp178.py > $OUT/exp178.log 2>&1
echo "exp178 rc=$?"
cat $OUT/exp178.log
