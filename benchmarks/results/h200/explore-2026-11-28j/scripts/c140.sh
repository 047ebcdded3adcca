# prepared, not run: prof110 under ncu with stall reasons (copy prof110.py to .gpu/ first)
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 ncu --profile-from-start off --section WarpStateStats \
  --section SchedulerStats --section MemoryWorkloadAnalysis --section LaunchStats --section Occupancy \
  --section SpeedOfLight --csv python3 $REPO/.gpu/prof110.py > $OUT/prof110.csv 2> $OUT/prof110.err
echo "prof110 rc=$?"; grep -c "" $OUT/prof110.csv
