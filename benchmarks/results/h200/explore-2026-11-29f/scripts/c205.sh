D=benchmarks/results/h200/explore-2026-11-29e
R=$PWD
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv,noheader
(timeout 260 bash $D/scripts/c203.sh 2>&1 | tail -70) > $OUT/c203.out; cat $OUT/c203.out
cd $R
(timeout 300 bash $D/scripts/c204.sh 2>&1 | tail -60) > $OUT/c204.out; cat $OUT/c204.out
