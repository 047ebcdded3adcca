# rule v38: GPU checks, then the V4-Flash harness (table off)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
[ -f $REPO/.gpu/triton-cache.tgz ] && mkdir -p ~/.triton && tar xzf $REPO/.gpu/triton-cache.tgz -C ~/.triton
(cd /tmp && timeout 170 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks.txt 2>&1; echo "run_all rc=$?")
grep -E "FAILED" $OUT/gpu_checks.txt | tail -5; grep -cE "^\S.{55,}  ok  " $OUT/gpu_checks.txt
MODEL=flash T=${T:-400} bash $REPO/.gpu/c42.sh 2>&1 | tail -12
rm -f $OUT/triton-cache.tgz
