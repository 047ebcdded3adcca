# exp144: rule v66 (decode kernel, M = 2-16, TMA on short K) against v65 on layers no experiment timed
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp144.py > $OUT/exp144.log 2>&1; echo "exp144 rc=$?"
cut -c1-200 $OUT/exp144.log
