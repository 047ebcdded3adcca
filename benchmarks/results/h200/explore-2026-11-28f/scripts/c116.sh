# session 2026-11-28f: prof89 (ncu of v46 / v47 M = 4 TMA decode launches)
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 200 ncu --kernel-name regex:decode --cache-control all --clock-control base \
  --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem \
  --csv python3 $OLDPWD/.gpu/prof89.py > $OUT/prof89.csv 2>$OUT/prof89.err; echo rc=$?
python3 - <<'P'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof89.csv")) if len(r) > 10]
hdr = rows[0]; i = {h: j for j, h in enumerate(hdr)}
tab = {}
for r in rows[1:]:
    tab.setdefault(r[i["ID"]], {})[r[i["Metric Name"]]] = r[i["Metric Value"]]
names = sorted({m for v in tab.values() for m in v})
print("ID " + " | ".join(names))
for key, v in tab.items():
    print(key, " | ".join(v.get(m, "") for m in names))
P
