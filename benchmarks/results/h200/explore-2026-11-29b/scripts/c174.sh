# prof138: the serving kernel against cuBLAS at 7168 x 16384 M = 1024 / 2048 (clock, tensor pipe, shared memory, stalls)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
S=smsp__pcsamp_warps_issue_stalled
FP8BLK_CONFIG_TABLE=0 timeout 240 ncu --profile-from-start off --csv --kernel-name regex:"serving|nvjet|gemm|sm90" --metrics gpu__time_duration.sum,sm__cycles_elapsed.avg.per_second,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_tensor_op_hmma.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,smsp__inst_executed.sum,launch__grid_size,launch__registers_per_thread,dram__bytes_read.sum,${S}_barrier,${S}_long_scoreboard,${S}_wait,${S}_sleeping,${S}_math_pipe_throttle,${S}_mio_throttle,${S}_selected,${S}_dispatch_stall,${S}_short_scoreboard,${S}_lg_throttle,${S}_membar,${S}_no_instructions,${S}_branch_resolving python3 $REPO/.gpu/prof138.py > $OUT/prof138.csv 2> $OUT/prof138.err; echo "prof138 rc=$?"
grep -v "^==PROF==" $OUT/prof138.csv | head -3 | cut -c1-200
tail -3 $OUT/prof138.err
