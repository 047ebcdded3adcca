# exp111: (a) decode x rows clamped (the tree it ran on: d447506 + exp111a_clamp.diff) against masked
# (.gpu/old_fp8_decode.py: d447506's kernels/fp8_decode.py), each installed; (b, c) on the clamped tree
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
rm -rf /tmp/old && cp -r $REPO /tmp/old && cp $REPO/.gpu/old_fp8_decode.py /tmp/old/kernels/fp8_decode.py
cd /tmp/old && python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp111.py a_masked 2>&1 | grep -v "^W11" | tee $OUT/exp111a_masked.log
cd $REPO && python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp111.py a_clamped 2>&1 | grep -v "^W11" | tee $OUT/exp111a_clamped.log
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 240 python3 $REPO/.gpu/exp111.py bc 2>&1 | grep -v "^W11" | tee $OUT/exp111bc.log
