# exp135: deeper K splits of the tile kernel on small layers at M = 96-512
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp135.py > $OUT/exp135.log 2>&1; echo "exp135 rc=$?"
cut -c1-330 $OUT/exp135.log
