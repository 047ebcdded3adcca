# exp150: the split-x prologue PDL-launched (and the serving kernel releasing at its end) against v66
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
rm -rf /tmp/oldk && cp -r $REPO/.gpu/oldk /tmp/oldk && cp $REPO/.gpu/exp150.py /tmp/ && cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 -u /tmp/exp150.py > $OUT/exp150.log 2>&1; echo "exp150 rc=$?"
cut -c1-200 $OUT/exp150.log | tail -14
