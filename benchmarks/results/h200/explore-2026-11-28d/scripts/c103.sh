# session 2026-11-28d (H200): exp74 (split-x one accumulator vs two), then exp75 (decode 64-row split at M=40-64)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S0=$SECONDS
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader; uname -r
which ncu && echo ncu-present
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp74.py one_acc 2>&1 | grep -v "^W11" | tee $OUT/exp74.log
cd $REPO && cp .gpu/fp8_tile_main.py kernels/fp8_tile.py && python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp74.py two_acc 2>&1 | grep -v "^W11" | tee -a $OUT/exp74.log
T=$((580 - (SECONDS - S0)))
echo "exp75 T=$T"
FP8BLK_CONFIG_TABLE=0 timeout $T python3 $REPO/.gpu/exp75.py 2>&1 | grep -v "^W11" | tee $OUT/exp75.log
