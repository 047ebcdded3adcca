# exp184: v75's tile split against v73's on layers not timed before (rotation > 2x L2)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29i/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
PYTHONPATH=$S FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $S/exp184.py > $OUT/exp184.log 2>&1
echo "exp184 rc=$?"
cut -c1-200 $OUT/exp184.log
