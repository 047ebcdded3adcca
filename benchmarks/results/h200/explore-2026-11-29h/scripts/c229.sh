# exp179: the split-K tail change against v72 and the reset alone, per point and in the four layer graphs
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 560 python3 $S/exp179.py $REPO/.gpu/unseen_shapes.json > $OUT/exp179.log 2>&1
echo "exp179 rc=$?"
cat $OUT/exp179.log
