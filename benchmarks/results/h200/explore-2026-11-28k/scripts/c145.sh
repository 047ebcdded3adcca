# prepared, not run (no device time left): exp113 (v55 below M = 8; the 64-row serving build in several waves)
# against the rule (v56). Copy exp113.py and exp113_points.json to .gpu/ first.
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp113.py 260 2>&1 | grep -v "^W11" | tee $OUT/exp113.log
