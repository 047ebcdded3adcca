# exp169: the CUDA-core launches at M = 1 / 2 swept on 12 layers of <= 16 MB after row pieces (rule v71 installed)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 500 python3 $S/exp169.py > $OUT/exp169.log 2>&1
echo "exp169 rc=$?"
cut -c1-330 $OUT/exp169.log
