# exp137: the weight as the wgmma's register operand (v65 candidate) against v64
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp137.py > $OUT/exp137.log 2>&1; echo "exp137 rc=$?"
cut -c1-220 $OUT/exp137.log | tail -40
