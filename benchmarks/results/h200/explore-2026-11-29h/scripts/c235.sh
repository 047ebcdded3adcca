# exp182: (prepared, not run) proto182 against the rule and cuBLAS on small layers at M = 48-256
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 540 python3 $S/exp182.py > $OUT/exp182.log 2>&1
echo "exp182 rc=$?"
cat $OUT/exp182.log
