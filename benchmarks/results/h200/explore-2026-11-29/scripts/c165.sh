# prepared after v63, not run: prof130 (L2 traffic of the serving kernel against cuBLAS at M = 256-512)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 ncu --profile-from-start off --csv --metrics gpu__time_duration.sum,lts__t_bytes.sum,lts__t_sectors_srcunit_tex_op_read.sum,dram__bytes_read.sum,lts__t_sector_hit_rate.pct,sm__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,launch__grid_size python3 $REPO/.gpu/prof130.py > $OUT/prof130.csv 2> $OUT/prof130.err; echo "prof130 rc=$?"
grep -v "^==PROF==" $OUT/prof130.csv | cut -d, -f5,9,13,15 | head -80
