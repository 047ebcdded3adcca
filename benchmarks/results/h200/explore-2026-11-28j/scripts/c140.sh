# prepared, not run: prof106 at four small-layer points under ncu with stall reasons (copy prof106.py to .gpu/)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 ncu --profile-from-start off --section WarpStateStats \
  --section SchedulerStats --section MemoryWorkloadAnalysis --section LaunchStats --section Occupancy \
  --section SpeedOfLight --csv python3 $REPO/.gpu/prof106.py 1024,4096,128 4096,2048,128 2048,4096,192 1536,7168,128 \
  > $OUT/prof110.csv 2> $OUT/prof110.err
echo "prof110 rc=$?"; grep -c "" $OUT/prof110.csv
