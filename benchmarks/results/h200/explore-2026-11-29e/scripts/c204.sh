# exp160 (prepared, not run): the M = 1 / 2 CUDA-core decode arithmetic (m1_pieces.patch) against v67, installs
# alternated (v67, patch, v67, patch); then the per-point best of each and the ratio
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
D=benchmarks/results/h200/explore-2026-11-29e
rm -rf /tmp/m1p && cp -r $REPO /tmp/m1p && (cd /tmp/m1p && patch -s -p1 < $D/m1_pieces.patch && echo patched)
for round in 1 2; do
  for tree in $REPO:v67 /tmp/m1p:pieces; do
    (cd ${tree%%:*} && python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1)
    (cd /tmp && FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/$D/scripts/exp160.py ${tree##*:}$round > $OUT/exp160_${tree##*:}$round.log 2>&1; echo "${tree##*:}$round rc=$?")
  done
done
python3 - <<'PY'
import json, os, glob
runs = {os.path.basename(p)[7:-5]: json.load(open(p)) for p in glob.glob(os.environ["OUT"] + "/exp160_*.json")}
def best(kind, key, part):
    vals = [r["us"] for name, run in runs.items() if name.startswith(kind) for r in run[part] if key(r)]
    return min(vals) if vals else float("nan")
base = runs.get("v671") or next(iter(runs.values()))
for r in base["layers"]:
    k = lambda x, r=r: (x["n"], x["k"], x["m"]) == (r["n"], r["k"], r["m"])
    a, b = best("v67", k, "layers"), best("pieces", k, "layers")
    print(f"{r['n']}x{r['k']} M={r['m']}: v67 {a:.2f} pieces {b:.2f} (x{a / b:.3f})")
for r in base["graphs"]:
    k = lambda x, r=r: (x["model"], x["m"]) == (r["model"], r["m"])
    a, b = best("v67", k, "graphs"), best("pieces", k, "graphs")
    print(f"graph {r['model']} M={r['m']}: v67 {a:.1f} pieces {b:.1f} (x{a / b:.3f})")
PY
