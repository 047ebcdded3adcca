# prof133 (ncu: v64 stream vs v63) then exp132 (v64 against v63; serving vs expand at M = 768-4096)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
S=smsp__pcsamp_warps_issue_stalled
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --profile-from-start off --csv --kernel-name regex:serving --metrics gpu__time_duration.sum,dram__bytes_read.sum,lts__t_sector_hit_rate.pct,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,sm__cycles_active.avg,sm__cycles_elapsed.max,launch__grid_size,${S}_membar,${S}_barrier,${S}_long_scoreboard,${S}_wait,${S}_sleeping,${S}_math_pipe_throttle,${S}_lg_throttle,${S}_mio_throttle,${S}_selected,${S}_branch_resolving,${S}_dispatch_stall,${S}_misc,${S}_no_instructions,${S}_short_scoreboard python3 $REPO/.gpu/prof133.py > $OUT/prof133.csv 2> $OUT/prof133.err; echo "prof133 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 420 python3 $REPO/.gpu/exp132.py > $OUT/exp132.log 2>&1; echo "exp132 rc=$?"
cut -c1-250 $OUT/exp132.log
