# exp96 (split + depth rule with build residency) and prof96 (ncu of the M = 4 / 16 anomaly)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp96.py 2>&1 | grep -v "^W11" | tee $OUT/exp96.log
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --kernel-name regex:decode --cache-control all --clock-control base --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,launch__waves_per_multiprocessor,launch__grid_size --csv python3 $REPO/.gpu/prof96.py > $OUT/prof96.csv 2> $OUT/prof96.err
python3 - <<'PY'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof96.csv")) if len(r) > 12 and r[0].isdigit()]
for r in rows:
    print(r[0], r[8], r[12], r[14])
PY
