# next session: exp29 (M = 1 on >= 32 MB layers: rows, step bytes, stages; ~100 timings) and ncu of the rule's launch
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout ${T:-300} python3 $REPO/.gpu/exp29.py 2>&1 | grep -v "^W11" | tee $OUT/exp29.log
M=gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,lts__t_sector_hit_rate.pct,launch__grid_size,launch__registers_per_thread,launch__occupancy_limit_registers,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_lg_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,sm__cycles_active.avg.pct_of_peak_sustained_elapsed
timeout 150 ncu --metrics $M -k regex:"fp8_decode_kernel" --csv python3 $REPO/.gpu/prof29.py > $OUT/ncu29.csv 2>$OUT/ncu29.err; echo "ncu rc=$?"
