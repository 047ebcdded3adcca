# exp52 (128-deep K-tiles for 64x128 programs, ~40 s), exp53 (scale loads: scalar / one K-tile ahead, ~60 s), then ncu warp-state + source counters of the rule's
# 8192x1024 M=128 launch (item 57 (a))
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
cd /tmp
timeout 70 python3 $REPO/.gpu/exp52.py 2>&1 | grep -v "^W11" | tee $OUT/exp52.log
timeout 90 python3 $REPO/.gpu/exp53.py 2>&1 | grep -v "^W11" | tee $OUT/exp53.log
FP8BLK_CONFIG_TABLE=0 timeout 60 ncu --clock-control none --profile-from-start off --section WarpStateStats --section SourceCounters --section SpeedOfLight -o $OUT/ncu52 python3 -m fp8blk.bench.profile_points --points 8192x1024x128 > $OUT/ncu52_run.txt 2>&1; echo "ncu rc=$?"
ncu -i $OUT/ncu52.ncu-rep --page details > $OUT/ncu52_details.txt 2>&1
ncu -i $OUT/ncu52.ncu-rep --page source --print-source sass --csv > $OUT/ncu52_sass.csv 2>&1
grep -E "Duration|Stall|stall|Warp Cycles|Issued|Tensor|Compute \(SM\)|Memory Through" $OUT/ncu52_details.txt | head -30
