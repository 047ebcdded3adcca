# rule v52: exp107 (the newly served points, serving on vs off), then the V4-Flash harness
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 100 python3 $REPO/.gpu/exp107.py 2>&1 | grep -v "^W11" | tee $OUT/exp107.log
cd $REPO && MODEL=flash bash .gpu/c96.sh 2>&1 | tail -4
