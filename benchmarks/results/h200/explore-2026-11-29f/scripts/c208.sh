# exp163 (v69 after the mask fix) + prof163 (ncu: the unmasked deep stream)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
rm -rf /tmp/pk_pkg && mkdir -p /tmp/pk_pkg && cp -r $REPO/.gpu/oldk/kernels_v67 /tmp/pk_pkg/pk
cd /tmp
M=launch__registers_per_thread,launch__grid_size,launch__occupancy_limit_registers,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum,smsp__issue_active.avg.pct_of_peak_sustained_active
FP8BLK_CONFIG_TABLE=0 timeout 120 ncu --profile-from-start off --metrics $M --csv python3 $REPO/.gpu/prof163.py > $OUT/prof163.csv 2> $OUT/prof163.err; echo "ncu rc=$?"
python3 - <<'PY'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof163.csv")) if len(r) > 10]
idx = {h: i for i, h in enumerate(rows[0])}
for r in rows[1:]:
    print(r[idx["ID"]], r[idx["Metric Name"]][:48], r[idx["Metric Value"]])
PY
FP8BLK_CONFIG_TABLE=0 timeout 430 python3 $REPO/.gpu/exp163.py $REPO/.gpu/unseen_shapes.json > $OUT/exp163.log 2>&1; echo "exp163 rc=$?"
cut -c1-300 $OUT/exp163.log
