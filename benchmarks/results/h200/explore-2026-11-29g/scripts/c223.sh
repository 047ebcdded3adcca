# exp174: variants of the small M = 1 launches in the four lists layer graphs (rule v72)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $S/exp174.py $REPO/.gpu/unseen_shapes.json > $OUT/exp174.log 2>&1
echo "exp174 rc=$?"
cat $OUT/exp174.log
