# exp170: candidate v72 (M = 2 CUDA-core programs of >= 2 rows) against v71 on 13 small layers, and layer graphs at M = 2
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $S/exp170.py > $OUT/exp170.log 2>&1
echo "exp170 rc=$?"
cut -c1-330 $OUT/exp170.log
