# exp54: split-x tile launches vs the rule and cuBLAS (M = 64-512, ten V4 layers), then ncu of one split-x launch
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-420} python3 $REPO/.gpu/exp54.py 2>&1 | grep -v "^W11" | tee $OUT/${TAG:-exp54}.log
