# prof140: the fixed cost of small-layer launches (graph times, ncu metrics per kernel, SASS stall samples)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
export FP8BLK_CONFIG_TABLE=0
timeout 100 python3 $REPO/.gpu/prof140.py time > $OUT/prof140_time.log 2>&1; echo "time rc=$?"
S=smsp__pcsamp_warps_issue_stalled
timeout 150 ncu --profile-from-start off --csv --metrics gpu__time_duration.sum,sm__cycles_elapsed.avg.per_second,sm__cycles_active.avg,sm__cycles_elapsed.max,smsp__cycles_active.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,launch__grid_size,launch__block_size,launch__registers_per_thread,launch__shared_mem_per_block_dynamic,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,${S}_barrier,${S}_long_scoreboard,${S}_wait,${S}_sleeping,${S}_math_pipe_throttle,${S}_mio_throttle,${S}_selected,${S}_short_scoreboard,${S}_lg_throttle,${S}_membar,${S}_no_instructions,${S}_branch_resolving,${S}_drain,${S}_imc_miss,${S}_tex_throttle python3 $REPO/.gpu/prof140.py ncu > $OUT/prof140.csv 2> $OUT/prof140.err; echo "ncu rc=$?"
timeout 150 ncu --profile-from-start off --section SourceCounters --section WarpStateStats --kernel-name regex:"serving|fp8_block_matmul_kernel|split_x" -o /tmp/p140 -f python3 $REPO/.gpu/prof140.py ncu > /dev/null 2> $OUT/prof140_src.err; echo "ncu src rc=$?"
ncu --import /tmp/p140.ncu-rep --page source --csv --print-source sass > $OUT/prof140_sass.csv 2> $OUT/prof140_sass.err; echo "sass rc=$?"
ncu --import /tmp/p140.ncu-rep --page details --csv > $OUT/prof140_details.csv 2>> $OUT/prof140_sass.err
ls -la $OUT; head -c 600 $OUT/prof140_sass.csv; tail -3 $OUT/prof140_sass.err
cat $OUT/prof140_time.log
