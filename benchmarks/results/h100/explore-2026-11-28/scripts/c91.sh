# exp64 (rule questions A/B), exp65 (ncu of M = 96 vs 112), launch_overhead (split-x host cost)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
FP8BLK_CONFIG_TABLE=0 timeout ${TB:-200} python3 $REPO/.gpu/exp64.py AB 2>&1 | grep -v "^W11" | tee $OUT/exp64.log
FP8BLK_CONFIG_TABLE=0 timeout 100 ncu --clock-control none --profile-from-start off \
  --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,lts__t_sector_hit_rate.pct,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active,dram__bytes_read.sum \
  --csv python3 $REPO/.gpu/prof65.py > $OUT/ncu65.csv 2>&1; echo "ncu rc=$?"
python3 - <<'PY'
import csv, io, os
text = open(os.environ["OUT"] + "/ncu65.csv").read()
rows = list(csv.DictReader(io.StringIO(text[text.index('"ID"'):])))
seen = {}
for r in rows:
    seen.setdefault((int(r["ID"]), r["Kernel Name"][:28]), {})[r["Metric Name"].split("__")[1][:28]] = r["Metric Value"]
for key, vals in sorted(seen.items()):
    print(key, " ".join(f"{k}={v}" for k, v in vals.items()))
PY
FP8BLK_CONFIG_TABLE=0 timeout 100 python3 -m fp8blk.bench.launch_overhead 2>&1 | grep -v "^W11" | head -40 | tee $OUT/launch_overhead.txt
