# exp105 (the rest of its points) and prof106 (ncu: rule launch and cuBLAS on small layers)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
START=${START:-0} FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/.gpu/exp105.py 240 2>&1 | grep -v "^W11" > $OUT/exp105.log; echo "exp105 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 200 ncu --profile-from-start off --csv --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__bytes_read.sum,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active python3 $REPO/.gpu/prof106.py > $OUT/prof106.csv 2> $OUT/prof106.err; echo "prof106 rc=$?"
cat $OUT/exp105.log | cut -c1-200
python3 - <<'PY'
import csv, os, collections
rows = [r for r in csv.reader(open(os.environ["OUT"] + "/prof106.csv")) if len(r) > 10]
hdr = rows[0]; data = rows[1:]
iK, iN, iM, iV = hdr.index("Kernel Name"), hdr.index("ID"), hdr.index("Metric Name"), hdr.index("Metric Value")
by = collections.OrderedDict()
for r in data:
    by.setdefault((r[iN], r[iK][:60]), {})[r[iM]] = r[iV]
for (i, name), m in by.items():
    print(i, name, " ".join(f"{k.split('__')[1][:22]}={v}" for k, v in m.items()))
PY
