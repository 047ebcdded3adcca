# exp175: the weight prefetched into L2 before the PDL wait, on and off (prefetch_l2.patch installed)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $S/exp175.py $REPO/.gpu/unseen_shapes.json > $OUT/exp175.log 2>&1
echo "exp175 rc=$?"
cat $OUT/exp175.log
