# (prepared for the next session, not run) exp188: the decode kernel on more of the tile rule's launches; prof187:
# ncu on exp186's decode / tile pair (same tiles and split)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29i/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $S/exp188.py > $OUT/exp188.log 2>&1; echo "exp188 rc=$?"
M=launch__registers_per_thread,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active
FP8BLK_CONFIG_TABLE=0 timeout 200 ncu --profile-from-start off --metrics $M --section WarpStateStats --csv python3 $S/prof187.py > $OUT/prof187.csv 2> $OUT/prof187.err; echo "ncu rc=$?"
python3 - <<'PY'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof187.csv")) if len(r) > 10]
idx = {h: i for i, h in enumerate(rows[0])}
for r in rows[1:]:
    if "stall" in r[idx["Metric Name"]].lower() and float(r[idx["Metric Value"]].replace(",", "") or 0) < 0.5:
        continue
    print(r[idx["ID"]], r[idx["Metric Name"]][:60], r[idx["Metric Value"]])
PY
cut -c1-260 $OUT/exp188.log
