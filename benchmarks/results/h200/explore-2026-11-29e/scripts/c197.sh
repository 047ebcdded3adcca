# exp154: decode launches at M = 2-16 on large layers by pointer loads of 256-512 bytes a row a step
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 540 python3 $REPO/.gpu/exp154.py > $OUT/exp154.log 2>&1; echo "exp154 rc=$?"
cut -c1-420 $OUT/exp154.log
