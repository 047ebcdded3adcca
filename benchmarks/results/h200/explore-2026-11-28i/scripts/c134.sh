# exp103: the warp-specialized Gluon split-x kernel against the rule launch and cuBLAS (M = 128-512)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout ${T:-110} python3 $REPO/.gpu/exp103.py 2>&1 | grep -v "^W11" | tee $OUT/exp103.log
