# exp159 (prepared, not run): v68 with the decode kernel releasing after its K loop, in decoder-layer chains
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
D=benchmarks/results/h200/explore-2026-11-29e
rm -rf /tmp/v68r && cp -r $REPO /tmp/v68r && cd /tmp/v68r && patch -s -p1 < $D/rule_v68_release.patch && echo patched
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/$D/scripts/exp159.py $REPO/.gpu/unseen_shapes.json > $OUT/exp159.log 2>&1
echo "exp159 rc=$?"; cut -c1-200 $OUT/exp159.log
