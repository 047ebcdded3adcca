# exp93 (interleaved host timing) + prof93 (ncu, 3 vs 4 stages)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 python3 $REPO/.gpu/exp93.py 2>&1 | grep -v "^W11" | tee $OUT/exp93.log
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --kernel-name regex:decode --cache-control all --clock-control base \
  --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active,launch__grid_size,launch__occupancy_limit_shared_mem \
  --csv python3 $REPO/.gpu/prof93.py > $OUT/prof93.csv 2>$OUT/prof93.err; echo rc=$?
python3 - <<'P'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof93.csv")) if len(r) > 10]
hdr = rows[0]; i = {h: j for j, h in enumerate(hdr)}
tab = {}
for r in rows[1:]:
    tab.setdefault(r[i["ID"]], {})[r[i["Metric Name"]]] = r[i["Metric Value"]]
names = sorted({m for v in tab.values() for m in v})
print("ID " + " | ".join(names))
for key, v in tab.items():
    print(key, " | ".join(v.get(m, "") for m in names))
P
