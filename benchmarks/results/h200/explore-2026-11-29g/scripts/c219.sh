# v72: ncu of the v71 / v72 launches (prof172), then the GPU checks
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
S=$REPO/benchmarks/results/h200/explore-2026-11-29g/scripts
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
M=launch__registers_per_thread,launch__grid_size,launch__occupancy_limit_registers,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum,smsp__issue_active.avg.pct_of_peak_sustained_active
FP8BLK_CONFIG_TABLE=0 timeout 120 ncu --profile-from-start off --metrics $M --csv python3 $S/prof172.py > $OUT/prof172.csv 2> $OUT/prof172.err; echo "ncu rc=$?"
python3 - <<'PY'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof172.csv")) if len(r) > 10]
idx = {h: i for i, h in enumerate(rows[0])}
for r in rows[1:]:
    print(r[idx["ID"]], r[idx["Metric Name"]][:48], r[idx["Metric Value"]])
PY
grep -v "^==" $OUT/prof172.csv | grep -v '^"' | head -8
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v72.txt 2>&1; echo "checks rc=$?"
grep -c " ok " $OUT/gpu_checks_v72.txt; grep -E "FAIL" $OUT/gpu_checks_v72.txt | head -5 | cut -c1-200; tail -3 $OUT/gpu_checks_v72.txt
