# exp165: rule v70 (M = 2 on CUDA cores up to 256 KB a SM) against v69 on layers never timed at M = 2, layer graphs
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp165.py $REPO/.gpu/unseen_shapes.json > $OUT/exp165.log 2>&1; echo "exp165 rc=$?"
cut -c1-260 $OUT/exp165.log
