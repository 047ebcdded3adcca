# session 2026-11-27b call 2: exp25 (decode small layers) then the unseen-shapes run (resumable) with the time left
S0=$SECONDS
bash .gpu/c44.sh; echo "exp25 done $((SECONDS-S0))s"
T=$((575-SECONDS+S0)) bash .gpu/c45.sh
