# exp181: (prepared, not run) the K splits of small layers against v73's rule
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
PYTHONPATH=$S FP8BLK_CONFIG_TABLE=0 timeout 500 python3 $S/exp181.py > $OUT/exp181.log 2>&1
echo "exp181 rc=$?"
cat $OUT/exp181.log
