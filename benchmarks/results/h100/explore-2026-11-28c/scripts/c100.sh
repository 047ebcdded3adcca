# session 2026-11-28c: exp73, ncu of the split-x tiles v44 chooses among (L2 traffic or latency?)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
FP8BLK_CONFIG_TABLE=0 timeout ${T:-150} ncu --clock-control none --profile-from-start off --kernel-name _fp8_block_matmul_kernel \
  --metrics gpu__time_duration.sum,lts__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_bytes.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active,launch__grid_size,l1tex__m_xbar2l1tex_read_bytes.sum \
  --csv python3 $REPO/.gpu/prof73.py > $OUT/ncu73.csv 2>&1; echo "ncu rc=$?"
grep -v '^"' $OUT/ncu73.csv | grep -v "^==" | head -20
python3 - <<'PY'
import csv, io, os
text = open(os.environ["OUT"] + "/ncu73.csv").read()
rows = list(csv.DictReader(io.StringIO(text[text.index('"ID"'):])))
seen = {}
for r in rows:
    seen.setdefault(int(r["ID"]), {})[r["Metric Name"]] = r["Metric Value"]
for key, vals in sorted(seen.items()):
    print(key, " ".join(f"{k.split('__')[1][:34]}={v}" for k, v in vals.items()))
PY
