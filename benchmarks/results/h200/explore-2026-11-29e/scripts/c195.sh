# exp152: the decode tensor-core path with fp16 x against bf16 x (the weight conversion's cost)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp152.py > $OUT/exp152.log 2>&1; echo "exp152 rc=$?"
cut -c1-230 $OUT/exp152.log
