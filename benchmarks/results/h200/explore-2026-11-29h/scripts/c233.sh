# exp180: the two v73 harness losses re-timed
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
PYTHONPATH=$S FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $S/exp180.py > $OUT/exp180.log 2>&1
echo "exp180 rc=$?"
cat $OUT/exp180.log
