# exp142: rule v65 (decode kernel at M = 17-32) against v64 wherever it changes the launch
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp142.py > $OUT/exp142.log 2>&1; echo "exp142 rc=$?"
cut -c1-230 $OUT/exp142.log | tail -45
