# exp171: rule v72 (two-row CUDA-core programs where they need no K split) checked on 14 layers, and layer graphs
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $S/exp171.py > $OUT/exp171.log 2>&1
echo "exp171 rc=$?"
cut -c1-330 $OUT/exp171.log
