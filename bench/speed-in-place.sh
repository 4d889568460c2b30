#!/usr/bin/env bash
# Issue 12, item 6: whole-process `tollgate check` with the default config in a Cargo repository
# (the corpus's moonbeam-v4 Cargo.lock with its Cargo.toml beside it) and on the bare lockfile,
# against `cargo audit --no-fetch --no-yanked` on the same lock and the same RustSec snapshot.
# Prints hyperfine's table, then the ratios (cargo-audit ÷ tollgate) of the means and the minima.
#
#   bench/speed-in-place.sh [SHARED_DIR] [RUNS]     (defaults: ../shared beside the repo, 40)
#
# Needs hyperfine (apt-get install -y hyperfine) and cargo-audit (cargo install cargo-audit
# --locked; CARGO_AUDIT=/path/to/cargo-audit to pick a binary), python3 for the ratios.
# tollgate's `--db` is an index imported (`tollgate db import`) from the same RustSec snapshot
# cargo-audit reads, so both tools match the same advisories. Every command runs from a scratch
# directory with no tollgate.toml (the default config: drift compares the manifests itself, no
# `cargo metadata`); a last, informative row times the opt-in deep mode (`[drift] use-cargo = true`).
# Targets: in place ≥ 10× (aim 20×), bare lockfile aim 20×.
#
# On a machine shared with other builds, BENCH_RT=1 runs hyperfine (and so every timed command)
# under `chrt -f 10` (needs root): the timed processes then preempt the builds instead of
# queueing behind them, and run-to-run spread drops from ±10 ms to ±1–2 ms. Both tools get the
# same treatment, so the ratios stay fair; the load average printed after the run says how busy
# the machine was.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-40}
audit=${CARGO_AUDIT:-cargo-audit}
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install -y hyperfine)" >&2; exit 2; }
command -v "$audit" >/dev/null || { echo "cargo-audit not found (cargo install cargo-audit --locked, or set CARGO_AUDIT)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 not found (needed for the ratios)" >&2; exit 2; }

cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
rustsec=$shared/advisories/rustsec
src=$shared/corpus/lockfiles/moonbeam-v4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tg" db import "$rustsec" --db "$tmp/rs" >/dev/null 2>&1
# In place: the corpus layout (Cargo.lock and the workspace's Cargo.toml side by side).
mkdir -p "$tmp/inplace" "$tmp/bare"
cp "$src/Cargo.lock" "$src/Cargo.toml" "$tmp/inplace/"
cp "$src/Cargo.lock" "$tmp/bare/"
printf '[drift]\nuse-cargo = true\n' >"$tmp/deep.toml"
cd "$tmp" # no tollgate.toml in the working directory either

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Linux $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $("$tg" --version), $("$audit" --version 2>/dev/null || "$audit" audit --version), $(rustc --version)"
echo "lock: $src/Cargo.lock ($(wc -c <"$src/Cargo.lock") bytes, $(grep -c '^\[\[package\]\]' "$src/Cargo.lock") packages); db: $rustsec (tollgate: imported index)"

rt=()
if [ "${BENCH_RT:-0}" = 1 ]; then rt=(chrt -f 10); fi
"${rt[@]}" hyperfine -N -i -w 5 -r "$runs" --style basic --export-json "$tmp/h.json" \
  -n "tollgate in place" "$tg check $tmp/inplace --db $tmp/rs" \
  -n "tollgate bare lock" "$tg check $tmp/bare/Cargo.lock --db $tmp/rs" \
  -n "cargo audit" "$audit audit --no-fetch --no-yanked --db $rustsec --file $tmp/inplace/Cargo.lock" \
  -n "tollgate in place, use-cargo = true" "$tg check $tmp/inplace --db $tmp/rs --config $tmp/deep.toml"

python3 - "$tmp/h.json" <<'EOF'
import json, sys
rs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
cpu = lambda r: r["user"] + r["system"]
a = rs["cargo audit"]
print()
print("ratios: cargo audit / the row (wall mean, wall min, user+system CPU mean)")
print(f"{'command':38} {'mean ms':>8} {'min ms':>7} {'cpu ms':>7} {'x mean':>7} {'x min':>6} {'x cpu':>6}")
for name, r in rs.items():
    print(f"{name:38} {r['mean']*1e3:8.1f} {r['min']*1e3:7.1f} {cpu(r)*1e3:7.1f} "
          f"{a['mean']/r['mean']:7.1f} {a['min']/r['min']:6.1f} {cpu(a)/cpu(r):6.1f}")
EOF
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
