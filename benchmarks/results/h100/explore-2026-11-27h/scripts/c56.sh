# ncu of the rule's M = 1 launch on 4-8 MB layers and the v36 narrow tensor-core launch (prof30.py)
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
M=$(grep -o "^M=[^ ]*" $REPO/.gpu/c53.sh | head -1 | cut -c3-),smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,sm__maximum_warps_per_active_cycle_pct
timeout 200 ncu --metrics $M -k regex:"fp8_decode_kernel" --csv python3 $REPO/.gpu/prof30.py > $OUT/ncu30.csv 2>$OUT/ncu30.err; echo "ncu rc=$?"
python3 - <<'P'
import csv, collections, os
rows = list(csv.DictReader(l for l in open(os.environ["OUT"] + "/ncu30.csv") if l.startswith('"')))
by = collections.OrderedDict()
for r in rows:
    by.setdefault((r["ID"], r["Grid Size"]), {})[r["Metric Name"]] = r["Metric Value"]
for (i, g), v in by.items():
    print(i, g, " ".join(f"{k.split('__')[1][:28]}={v[k]}" for k in v))
P
