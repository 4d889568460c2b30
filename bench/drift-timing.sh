#!/usr/bin/env bash
# What the drift check adds to `tollgate check`: whole-process timing (hyperfine) on the largest
# corpus npm lockfile and the largest corpus Cargo.lock, with [drift] off, with the manifest
# reader, and with `cargo metadata --locked --offline` first.
#
#   bench/drift-timing.sh [SHARED_DIR] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
runs=${2:-20}
cargo build -q --release -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '[drift]\nenabled = false\n[sources.path-outside-repo]\nenabled = false\n' >"$tmp/off.toml"
printf '[drift]\nuse-cargo = false\n' >"$tmp/reader.toml"
printf '[drift]\nuse-cargo = true\n' >"$tmp/cargo.toml"
npm_lock=$(ls -S "$shared"/corpus/lockfiles/*/package-lock.json "$shared"/corpus/lockfiles/*/npm-shrinkwrap.json | head -1)
cargo_lock=$shared/corpus/lockfiles/moonbeam-v4/Cargo.lock
for lock in "$npm_lock" "$cargo_lock"; do
  dir=$(dirname "$lock")
  echo "== $lock ($(wc -c <"$lock") bytes)"
  # Wall time on a shared machine is noisy: compare the user + system CPU times too.
  hyperfine -N --warmup 3 --runs "$runs" -i --style basic \
    -n off "$tg check $dir --config $tmp/off.toml --format json" \
    -n reader "$tg check $dir --config $tmp/reader.toml --format json" \
    -n cargo "$tg check $dir --config $tmp/cargo.toml --format json" 2>/dev/null |
    grep -E '^Benchmark|Time \(mean|User:'

done
