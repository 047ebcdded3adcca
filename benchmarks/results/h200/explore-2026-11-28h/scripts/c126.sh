# prof98: ncu of the fused split-x launch against v48's pair
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cp -r $REPO/.gpu/oldk /tmp/oldk
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 240 ncu --kernel-name regex:'matmul_kernel|split_x' --cache-control all --clock-control base --metrics gpu__time_duration.sum,launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active --csv python3 $REPO/.gpu/prof98.py > $OUT/prof98.csv 2> $OUT/prof98.err
python3 - <<'PY'
import csv, os
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof98.csv")) if len(r) > 12 and r[0].isdigit()]
for r in rows:
    print(r[0], r[4][:28], r[8], r[12], r[14])
PY
tail -3 $OUT/prof98.err
