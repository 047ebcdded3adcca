# exp182 (proto182 against the rule and cuBLAS, small layers M = 48-256), then exp181 (K splits of small layers
# against v73's rule); both prepared last session (explore-2026-11-29h/scripts)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29h/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 215 python3 $S/exp182.py > $OUT/exp182.log 2>&1
echo "exp182 rc=$?"
PYTHONPATH=$S FP8BLK_CONFIG_TABLE=0 timeout 330 python3 $S/exp181.py > $OUT/exp181.log 2>&1
echo "exp181 rc=$?"
cut -c1-230 $OUT/exp182.log | tail -62
grep -c "rule split" $OUT/exp181.log; tail -3 $OUT/exp181.log | cut -c1-200
