# exp97: split x in one launch vs v48's two launches; then the GPU checks (installed from the tree, as users do)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp -r $REPO/.gpu/oldk /tmp/oldk
cp $REPO/.gpu/exp97.py /tmp/exp97.py
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 /tmp/exp97.py 2>&1 | grep -v "^W11" | tee $OUT/exp97.log



