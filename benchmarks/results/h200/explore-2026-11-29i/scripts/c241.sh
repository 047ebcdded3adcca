# v75: the harness on V4-Flash (the one list where v75's launches differ from v74's: 512x4096 M = 96 / 128)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
export FP8BLK_MARLIN_CACHE=$REPO/.marlin
cd /tmp
timeout 150 fp8blk bench --model deepseek-v4-flash --config-table off --out /tmp/b_flash --impl fp8blk,marlin,cublas_bf16 > /tmp/flash.log 2>&1; echo "flash rc=$?"
mkdir -p $OUT/flash; cp /tmp/flash.log /tmp/b_flash/*/*/results.json /tmp/b_flash/*/*/results.md $OUT/flash/
grep -h "Geometric" $OUT/flash/results.md | cut -c1-150
