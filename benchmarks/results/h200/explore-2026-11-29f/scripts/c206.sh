# exp161: m1_pieces on the deep-stream layers, both kernel trees in one process
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
D=benchmarks/results/h200/explore-2026-11-29e
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
rm -rf /tmp/m1p /tmp/pk_pkg && cp -r $REPO /tmp/m1p && (cd /tmp/m1p && patch -s -p1 < $D/m1_pieces.patch && echo patched)
mkdir -p /tmp/pk_pkg && cp -r /tmp/m1p/kernels /tmp/pk_pkg/pk
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 500 python3 $REPO/.gpu/exp161.py > $OUT/exp161.log 2>&1; echo "exp161 rc=$?"
cut -c1-400 $OUT/exp161.log
