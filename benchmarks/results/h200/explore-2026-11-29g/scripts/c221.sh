# exp172: M = 1 CUDA-core launches swept on 8 layers whose rule programs take 32 rows (rule v72)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 500 python3 $S/exp172.py > $OUT/exp172.log 2>&1
echo "exp172 rc=$?"
cut -c1-520 $OUT/exp172.log
