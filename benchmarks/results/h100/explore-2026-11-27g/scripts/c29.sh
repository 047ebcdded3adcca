set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
ncu --query-metrics 2>/dev/null | grep -E "^sm__inst_executed_pipe|^sm__pipe_" | awk '{print $1}' > $OUT/pipe_metrics.txt; wc -l $OUT/pipe_metrics.txt
M=gpu__time_duration.sum,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_alu.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_fma.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_fmaheavy.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_lsu.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_fp16.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_lg_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio,smsp__average_warps_issue_stalled_misc_per_issue_active.ratio,smsp__average_warps_issue_stalled_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_sleeping_per_issue_active.ratio
timeout 400 ncu --metrics $M --launch-count 16 -k regex:"fp8_block_matmul_kernel|fp8_wgmma_kernel" --csv python3 $REPO/.gpu/prof17.py > $OUT/ncu17.csv 2>$OUT/ncu17.err; echo ncu rc=$?
python3 - <<'PY'
import csv, os, collections
for f in ("ncu17.csv",):
    rows = [r for r in csv.reader(open(os.path.join(os.environ["OUT"], f))) if len(r) > 10]
    if not rows: print(f, "empty"); continue
    h = rows[0]; idx = {k: i for i, k in enumerate(h)}
    per = collections.OrderedDict()
    for r in rows[1:]:
        per.setdefault((r[idx["ID"]], r[idx["Kernel Name"]][:22]), {})[r[idx["Metric Name"]]] = r[idx["Metric Value"]]
    for (i, name), mm in per.items():
        if int(i) % 8 < 4: continue
        print(f, i, name, " ".join(f"{k.split('.')[0].replace('smsp__average_warps_issue_stalled_','st_').replace('sm__inst_executed_pipe_','pipe_')}={v}" for k, v in mm.items()))
PY
timeout 200 python3 $REPO/.gpu/exp18.py 2>&1 | grep -v "^W11" | tee $OUT/exp18.log
