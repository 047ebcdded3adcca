# session 2026-11-28c: exp74 on branch split-x-rescale (one accumulator), then main's kernel (two), same machine
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-170} python3 $REPO/.gpu/exp74.py one_acc 2>&1 | grep -v "^W11" | tee $OUT/exp74.log
cd $REPO && cp .gpu/fp8_tile_main.py kernels/fp8_tile.py && python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-170} python3 $REPO/.gpu/exp74.py two_acc 2>&1 | grep -v "^W11" | tee -a $OUT/exp74.log
