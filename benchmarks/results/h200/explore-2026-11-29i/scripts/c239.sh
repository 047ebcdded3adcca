# exp183: v74's tile split against v73's on layers it was not fitted on (rotation > 2x L2)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29i/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $S/exp183.py > $OUT/exp183.log 2>&1
echo "exp183 rc=$?"
cut -c1-200 $OUT/exp183.log
