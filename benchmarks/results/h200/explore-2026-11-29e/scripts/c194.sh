# prof151: the M = 1 decode launch on 8-32 MB layers against a load-only kernel of its geometry (time + ncu)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/prof151.py time > $OUT/prof151_time.log 2>&1; echo "time rc=$?"
M=dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__warps_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__grid_size,gpu__time_duration.sum,smsp__inst_executed.sum,sm__cycles_active.avg,gpc__cycles_elapsed.max,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_lg_throttle_per_issue_active.ratio,launch__shared_mem_per_block_dynamic
FP8BLK_CONFIG_TABLE=0 timeout 200 ncu --profile-from-start off --metrics $M --csv python3 $REPO/.gpu/prof151.py ncu > $OUT/prof151_ncu.csv 2> $OUT/prof151_ncu.err; echo "ncu rc=$?"
cat $OUT/prof151_time.log
python3 - <<'PY'
import csv, os, collections, re
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof151_ncu.csv")) if len(r) > 10]
head = rows[0]; idx = {h: i for i, h in enumerate(head)}
def alias(name):
    m = re.search(r"stalled_(\w+?)_per_issue", name)
    if m: return "st_" + m.group(1)
    return {"dram": "dram%", "sm__throughput": "sm%", "smsp__issue_active": "issue%", "sm__warps_active": "warps%",
            "launch__registers": "regs", "launch__grid": "grid", "gpu__time": "ns", "smsp__inst_executed": "inst",
            "sm__cycles_active": "cyc_act", "gpc__cycles": "cyc_el", "launch__shared": "smem"}.get(
        next((k for k in ("dram", "sm__throughput", "smsp__issue_active", "sm__warps_active", "launch__registers",
                          "launch__grid", "gpu__time", "smsp__inst_executed", "sm__cycles_active", "gpc__cycles",
                          "launch__shared") if name.startswith(k)), name), name)
by = collections.OrderedDict()
for r in rows[1:]:
    by.setdefault((r[idx["ID"]], r[idx["Kernel Name"]][:20]), {})[alias(r[idx["Metric Name"]])] = r[idx["Metric Value"]]
for (i, name), m in by.items():
    print(i, name, " ".join(f"{k}={v}" for k, v in m.items()))
PY
