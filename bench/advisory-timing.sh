#!/usr/bin/env bash
# Whole-process timing of advisory matching (load the index + read the lockfile + match) vs
# `cargo audit --no-fetch`, on the largest corpus Cargo.lock and the largest npm lockfile.
#
#   bench/advisory-timing.sh [SHARED_DIR] [RUNS]
#
# Uses hyperfine when installed, else a shell loop (mean of RUNS runs, default 20).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
runs=${2:-20}
audit=${CARGO_AUDIT:-cargo-audit}
cargo build -q --release -p tollgate --manifest-path "$here/Cargo.toml"
cargo build -q --release -p tollgate-verifier --example advisory_match --manifest-path "$here/Cargo.toml"
match=$here/target/release/examples/advisory_match
tg=$here/target/release/tollgate
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tg" db import "$shared/advisories/rustsec" --db "$tmp/rs" >/dev/null
"$tg" db import "$shared/advisories/osv-npm" --db "$tmp/npm" >/dev/null
"$tg" db import "$shared/advisories/rustsec" "$shared/advisories/osv-crates" "$shared/advisories/osv-npm" --db "$tmp/all" >/dev/null
cargo_lock=$shared/corpus/lockfiles/moonbeam-v4/Cargo.lock
npm_lock=$(ls -S "$shared"/corpus/lockfiles/*/package-lock.json "$shared"/corpus/lockfiles/*/npm-shrinkwrap.json | head -1)

mean_ms() { # command... → mean wall time in ms over $runs runs
  local start end
  "$@" >/dev/null 2>&1 || true
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000000 ))
}

echo "lockfile: $cargo_lock ($(grep -c '^\[\[package\]\]' "$cargo_lock") packages)"
t1=$(mean_ms "$match" --db "$tmp/rs" "$cargo_lock"); echo "tollgate matcher, rustsec index:        ${t1} ms"
t2=$(mean_ms "$match" --db "$tmp/all" "$cargo_lock"); echo "tollgate matcher, all three sources:    ${t2} ms"
t3=$(mean_ms "$match" "$cargo_lock"); echo "tollgate matcher, embedded snapshot:    ${t3} ms"
if command -v "$audit" >/dev/null; then
  ta=$(mean_ms "$audit" audit --db "$shared/advisories/rustsec" --no-fetch --no-yanked --json --file "$cargo_lock")
  echo "cargo audit --no-fetch --no-yanked:     ${ta} ms  (ratio $(( ta / (t1 > 0 ? t1 : 1) ))x vs rustsec index)"
fi
echo "lockfile: $npm_lock"
t4=$(mean_ms "$match" --db "$tmp/npm" "$npm_lock"); echo "tollgate matcher, osv-npm index:        ${t4} ms"
