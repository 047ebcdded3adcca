# session 2026-11-27b call 3: exp26 (split-K of 64x64 tiles against K) and ncu of four launches
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 200 python3 $REPO/.gpu/exp26.py 2>&1 | grep -v "^W11" | tee $OUT/exp26.log
M=gpu__time_duration.sum,dram__bytes_read.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sector_hit_rate.pct,launch__grid_size,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_membar_per_issue_active.ratio
timeout 200 ncu --metrics $M -k regex:"fp8_block_matmul_kernel" --csv python3 $REPO/.gpu/prof26.py > $OUT/ncu26.csv 2>$OUT/ncu26.err; echo ncu rc=$?
python3 - <<'PY'
import csv, os, collections
rows = list(csv.DictReader(open(os.environ["OUT"] + "/ncu26.csv")))
by = collections.defaultdict(dict)
for r in rows:
    by[r["ID"]][r["Metric Name"]] = r["Metric Value"]
for i, mets in by.items():
    print(i, " ".join(f"{k.split('.')[0].split('__')[-1]}={v}" for k, v in mets.items()))
PY
