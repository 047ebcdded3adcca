# exp151 (prepared, not run): the one-phase fused split (kernels_fused2) against v66 and the two-phase fused launch
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
rm -rf /tmp/oldk && cp -r $REPO/.gpu/oldk /tmp/oldk && cp $REPO/.gpu/exp151.py /tmp/ && cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 -u /tmp/exp151.py > $OUT/exp151.log 2>&1; echo "exp151 rc=$?"
cut -c1-220 $OUT/exp151.log | tail -16
