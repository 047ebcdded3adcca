# prepared, not run (no device time left): exp121 (CUDA-core decode steps on K not a multiple of the step).
# Copy exp121.py to .gpu/ first.
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp121.py 2>&1 | grep -v "^W11" | tee $OUT/exp121.log
