# exp148: an eager launch's host time, piece by piece (installed non-editable, table off)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp $REPO/.gpu/exp148.py /tmp/ && cd /tmp
for round in 1 2; do FP8BLK_CONFIG_TABLE=0 timeout 120 python3 -u /tmp/exp148.py > $OUT/exp148_$round.log 2>&1; echo "exp148 round $round rc=$?"; done
cat $OUT/exp148_1.log $OUT/exp148_2.log | cut -c1-200
