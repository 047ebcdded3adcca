# exp139: clocks and power of the serving kernel against cuBLAS at 7168 x 16384 M = 1024 / 2048
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm --format=csv
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp139.py > $OUT/exp139.log 2>&1; echo "exp139 rc=$?"
cat $OUT/exp139.log | tail -8
