# exp147: the fused split's phases (old trees only; the installed library is only the bench helpers)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
rm -rf /tmp/oldk && cp -r $REPO/.gpu/oldk /tmp/oldk && cp $REPO/.gpu/exp147.py /tmp/
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 -u /tmp/exp147.py > $OUT/exp147b.log 2>&1; echo "exp147 rc=$?"
cat $OUT/exp147b.log | cut -c1-200 | tail -30
