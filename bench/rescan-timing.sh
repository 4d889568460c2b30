#!/usr/bin/env bash
# Issue 14, item 9: `tollgate rescan` of 10,000 generated SBOMs of ~500 components each (aim:
# under 2 minutes on 2 cores), whole process: the first scan (no state), a second scan (state
# read, nothing new), and one shard of two.
#
#   bench/rescan-timing.sh [SHARED_DIR] [COUNT] [COMPONENTS]   (defaults: ../shared, 10000, 500)
#
# The pool of components is tollgate's own SBOMs of every corpus lockfile (real names and
# versions, so the embedded advisory index matches); bench/gen-sbom-fleet.py draws the fleet
# (seeded) into bench/out/fleet-COUNT-COMPONENTS, kept between runs. Needs GNU time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
count=${2:-10000}
comps=${3:-500}
cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
out=$here/bench/out
fleet=$out/fleet-$count-$comps
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -d "$fleet" ]; then
  pool=$out/fleet-pool; mkdir -p "$pool"
  i=0
  python3 - "$shared/corpus/manifest.json" > "$tmp/inputs" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for f in m["files"]:
    if f.get("tollgate_input") and f.get("ok"):
        print(f["path"])
PY
  while read -r p; do
    i=$((i + 1))
    SOURCE_DATE_EPOCH=0 "$tg" sbom "$shared/corpus/$p" -o "$pool/$i.cdx.json" -q 2>/dev/null || true
  done < "$tmp/inputs"
  python3 "$here/bench/gen-sbom-fleet.py" "$pool" "$fleet" --count "$count" --components "$comps"
fi
echo "fleet: $(find "$fleet" -name '*.cdx.json' | wc -l) SBOMs, $(du -sh "$fleet" | cut -f1)"
now=2026-12-01
run() { # label, then the command: prints wall s, user s, sys s, peak KiB, exit code
  local label=$1; shift
  local rc=0
  /usr/bin/time -o "$tmp/time" -f '%e %U %S %M' "$@" > "$tmp/out" 2>/dev/null || rc=$?
  printf '%-28s %8s %8s %8s %10s  exit %s  %s\n' "$label" $(tail -1 "$tmp/time") "$rc" "$(tail -1 "$tmp/out" | cut -c1-90)"
}
printf '%-28s %8s %8s %8s %10s\n' run wall_s user_s sys_s peak_KiB
# A cold page cache is not what a scheduled job sees twice; the first scan reads the files once.
rm -f "$tmp/state.json"
run "first scan (no state)" "$tg" rescan "$fleet" --state "$tmp/state.json" --now "$now"
run "second scan (nothing new)" "$tg" rescan "$fleet" --state "$tmp/state.json" --now "$now"
run "shard 1/2 (no state)" "$tg" rescan "$fleet" --state "$tmp/shard.json" --shard 1/2 --now "$now"
echo "state: $(du -h "$tmp/state.json" | cut -f1)"
