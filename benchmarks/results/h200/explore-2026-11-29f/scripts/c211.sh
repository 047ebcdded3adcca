# exp164: CUDA-core against tensor-core decode launches at M = 2-4 with row pieces (v69)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 400 python3 $REPO/.gpu/exp164.py > $OUT/exp164.log 2>&1; echo "exp164 rc=$?"
cut -c1-260 $OUT/exp164.log
