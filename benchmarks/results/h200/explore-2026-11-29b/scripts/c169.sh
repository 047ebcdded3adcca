# v64: GPU checks (installed non-editable, table off), then exp134 (v64 against v63 on 14 fresh layers)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -2
cd /tmp
FP8BLK_CONFIG_TABLE=0 timeout 300 python3 $REPO/tests/gpu/run_all.py --skip-pytest > $OUT/gpu_checks_v64.txt 2>&1; echo "gpu checks rc=$?"
FP8BLK_CONFIG_TABLE=0 timeout 230 python3 $REPO/.gpu/exp134.py > $OUT/exp134.log 2>&1; echo "exp134 rc=$?"
grep -v " ok " $OUT/gpu_checks_v64.txt | tail -15
grep -c " ok " $OUT/gpu_checks_v64.txt
cut -c1-200 $OUT/exp134.log
