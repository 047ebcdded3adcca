# exp162: rule v69 (row pieces) against v67
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
rm -rf /tmp/pk_pkg && mkdir -p /tmp/pk_pkg && cp -r $REPO/.gpu/oldk/kernels_v67 /tmp/pk_pkg/pk
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 520 python3 $REPO/.gpu/exp162.py $REPO/.gpu/unseen_shapes.json > $OUT/exp162.log 2>&1; echo "exp162 rc=$?"
cut -c1-300 $OUT/exp162.log
