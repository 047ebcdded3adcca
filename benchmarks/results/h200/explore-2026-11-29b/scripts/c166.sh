# exp131 (deep serving splits on small layers; serving vs expand at M = 768/1024) and prof130 (ncu L2 traffic)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 330 python3 $REPO/.gpu/exp131.py > $OUT/exp131.log 2>&1; echo "exp131 rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 150 ncu --profile-from-start off --csv --metrics gpu__time_duration.sum,lts__t_bytes.sum,lts__t_sectors_srcunit_tex_op_read.sum,dram__bytes_read.sum,lts__t_sector_hit_rate.pct,sm__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,launch__grid_size python3 $REPO/.gpu/prof130.py > $OUT/prof130.csv 2> $OUT/prof130.err; echo "prof130 rc=$?"
grep -v "^==PROF==" $OUT/prof130.csv | cut -d, -f5,13,15 | head -60
cat $OUT/exp131.log | cut -c1-230
