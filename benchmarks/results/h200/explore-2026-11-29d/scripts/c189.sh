# exp149: the bf16-wgmma serving prototype (proto149) against the rule and cuBLAS (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp $REPO/.gpu/exp149.py $REPO/.gpu/proto149.py /tmp/ && cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 330 python3 -u /tmp/exp149.py > $OUT/exp149.log 2>&1; echo "exp149 rc=$?"
cut -c1-220 $OUT/exp149.log | tail -40
