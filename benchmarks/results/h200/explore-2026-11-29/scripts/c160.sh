# exp126 (persistent v62 vs v59 where the harness saw it slower), prof126 (ncu of both), exp127 (v62 on fresh layers)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 120 python3 $REPO/.gpu/exp126.py 2>&1 | grep -v "^W11" > $OUT/exp126.log; echo "exp126 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --profile-from-start off --csv --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,lts__t_sector_hit_rate.pct,sm__cycles_active.avg,smsp__inst_executed.sum python3 $REPO/.gpu/prof126.py > $OUT/prof126.csv 2> $OUT/prof126.err; echo "prof126 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 150 python3 $REPO/.gpu/exp127.py 2>&1 | grep -v "^W11" > $OUT/exp127.log; echo "exp127 rc=$?"
cat $OUT/exp126.log
grep -v "^==PROF==" $OUT/prof126.csv | cut -c1-300 | grep -i "serving\|Kernel Name" | head -60
cat $OUT/exp127.log
