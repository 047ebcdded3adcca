# exp110 (v54's left-behind points: M = 24 vs 32, 3072x7168 M = 192, 2048x7168 M = 512, 8192x1024 M = 96/128),
# then ncu on the same decode launch at M = 24 and M = 32 (18432x7168, 17408x5120)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp110.py 2>&1 | grep -v "^W11" | tee $OUT/exp110.log
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --profile-from-start off --section SpeedOfLight --section MemoryWorkloadAnalysis \
  --section LaunchStats --section WarpStateStats --section InstructionStats --csv python3 $REPO/.gpu/prof106.py \
  18432,7168,24 18432,7168,32 17408,5120,24 17408,5120,32 > $OUT/prof111.csv 2> $OUT/prof111.err
echo "prof111 rc=$?"; grep -c "" $OUT/prof111.csv
