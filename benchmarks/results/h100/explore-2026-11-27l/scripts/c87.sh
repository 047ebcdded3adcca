# exp57: ncu (SpeedOfLight + memory workload) of the rule's and split-x launches: is the L2 -> SM traffic the bound?
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 200 ncu --clock-control none --profile-from-start off --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats \
  --metrics lts__t_bytes.sum,lts__t_sectors_srcunit_tex_op_read.sum,dram__bytes_read.sum,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,lts__t_bytes.sum.per_second,gpu__time_duration.sum \
  -o $OUT/ncu57 python3 $REPO/.gpu/prof57.py > $OUT/ncu57_run.txt 2>&1; echo "ncu rc=$?"
ncu -i $OUT/ncu57.ncu-rep --page details --csv > $OUT/ncu57.csv 2>&1
python3 - <<'PY'
import csv, os
rows = list(csv.DictReader(open(os.environ["OUT"] + "/ncu57.csv")))
want = ["Duration", "L2 Cache Throughput", "DRAM Throughput", "Compute (SM) Throughput", "lts__t_bytes.sum", "lts__t_bytes.sum.per_second",
        "dram__bytes_read.sum", "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active", "Registers Per Thread",
        "Achieved Occupancy", "Grid Size", "Block Size", "Mem Busy", "Max Bandwidth", "L1/TEX Hit Rate", "L2 Hit Rate"]
seen = {}
for r in rows:
    key = (r["ID"], r["Kernel Name"][:40])
    if r["Metric Name"] in want:
        seen.setdefault(key, {})[r["Metric Name"]] = r["Metric Value"] + " " + r["Metric Unit"]
for key, vals in seen.items():
    print(key)
    for name in want:
        if name in vals:
            print(f"   {name}: {vals[name]}")
PY
