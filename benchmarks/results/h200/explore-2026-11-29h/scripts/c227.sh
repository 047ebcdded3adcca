# exp177: the split-K tail: counter reset relaxed, own split from registers
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 560 python3 $S/exp177.py > $OUT/exp177.log 2>&1
echo "exp177 rc=$?"
cat $OUT/exp177.log
