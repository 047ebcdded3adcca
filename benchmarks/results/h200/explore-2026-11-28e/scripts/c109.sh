python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
timeout 200 ncu --kernel-name regex:decode --cache-control all --clock-control base \
  --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem \
  --csv python3 $OLDPWD/.gpu/prof82.py > $OUT/prof82.csv 2>$OUT/prof82.err; echo rc=$?
python3 - <<'P'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof82.csv")) if len(r) > 10]
hdr = rows[0]; i = {h: j for j, h in enumerate(hdr)}
for r in rows[1:]:
    print(r[i["ID"]], r[i["Metric Name"]], r[i["Metric Value"]])
P
