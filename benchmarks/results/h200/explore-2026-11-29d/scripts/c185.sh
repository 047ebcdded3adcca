# exp145: the serving kernel's split of x inside its launch against v66 (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp -r $REPO/.gpu/oldk /tmp/oldk && cp $REPO/.gpu/exp145.py /tmp/
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 420 python3 -u /tmp/exp145.py > $OUT/exp145.log 2>&1; echo "exp145 rc=$?"
tail -60 $OUT/exp145.log | cut -c1-200
