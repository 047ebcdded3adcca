# exp168: M = 1 without the deep streams against v70 (25 layers, then the four lists' layer graphs at M = 1)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $S/exp168.py $REPO/.gpu/unseen_shapes.json > $OUT/exp168.log 2>&1
echo "exp168 rc=$?"
cut -c1-300 $OUT/exp168.log
