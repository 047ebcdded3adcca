# exp153: the fastest load-only kernel of 16-32 MB fp8 weights (pointer, persistent, TMA geometries)
set -o pipefail
export PYTHONUNBUFFERED=1
REPO=$PWD
python3 -m pip install -q --no-deps --no-build-isolation --no-index . 2>&1 | grep -v WARN | tail -1
cd /tmp
timeout 520 python3 $REPO/.gpu/exp153.py > $OUT/exp153.log 2>&1; echo "exp153 rc=$?"
grep -v "^  .*: \(OutOfResources\|Compilation\)" $OUT/exp153.log | cut -c1-400
