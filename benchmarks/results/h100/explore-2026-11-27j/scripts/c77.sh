# exp46 with TMA descriptors off (pointer loads) and on, 2-4 GB cases only
set -o pipefail
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
sed -e 's/for mb in (256, 1024, 2048, 4096):/for mb in (2048,):/' $REPO/.gpu/exp46.py > /tmp/exp46b.py
for tma in 0 1; do echo "FP8BLK_TMA=$tma"; FP8BLK_TMA=$tma timeout 40 python3 /tmp/exp46b.py 2>&1 | grep -v "^W11"; done | tee $OUT/exp46_tma.log
