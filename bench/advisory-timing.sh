#!/usr/bin/env bash
# Whole-process timing of `tollgate check` against `cargo audit --no-fetch` on the largest corpus
# Cargo.lock with the same RustSec snapshot, and of `tollgate check` on the largest npm lockfile
# with the npm OSV snapshot.
#
#   bench/advisory-timing.sh [SHARED_DIR] [RUNS]
#
# Needs hyperfine (apt-get install hyperfine) and, for the comparison, cargo-audit
# (cargo install cargo-audit --locked; CARGO_AUDIT=/path/to/cargo-audit to pick a binary).
# The lockfiles are copied into a scratch directory first so that the manifests beside them in the
# corpus do not turn on `lock-drift` (something cargo-audit never does); the last line times the
# default run in place, drift included (bench/speed-in-place.sh is the in-place comparison).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-40}
audit=${CARGO_AUDIT:-cargo-audit}
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }
cargo build -q --release -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tg" db import "$shared/advisories/rustsec" --db "$tmp/rs" >/dev/null 2>&1
"$tg" db import "$shared/advisories/osv-npm" --db "$tmp/npm" >/dev/null 2>&1
cargo_src=$shared/corpus/lockfiles/moonbeam-v4/Cargo.lock
npm_src=$(ls -S "$shared"/corpus/lockfiles/*/package-lock.json "$shared"/corpus/lockfiles/*/npm-shrinkwrap.json | head -1)
mkdir -p "$tmp/cargo" "$tmp/npmproj"
cp "$cargo_src" "$tmp/cargo/Cargo.lock"
cp "$npm_src" "$tmp/npmproj/$(basename "$npm_src")"
echo "Cargo.lock: $cargo_src ($(grep -c '^\[\[package\]\]' "$cargo_src") packages)"
echo "npm: $npm_src"
cmds=(
  "$tg check $tmp/cargo/Cargo.lock --db $tmp/rs"
  "$tg check $tmp/cargo/Cargo.lock --db $tmp/rs --format json"
)
if command -v "$audit" >/dev/null; then
  cmds+=(
    "$audit audit --db $shared/advisories/rustsec --no-fetch --no-yanked --file $tmp/cargo/Cargo.lock"
    "$audit audit --db $shared/advisories/rustsec --no-fetch --file $tmp/cargo/Cargo.lock"
  )
fi
cmds+=(
  "$tg check $tmp/npmproj/$(basename "$npm_src") --db $tmp/npm"
  "$tg check $cargo_src --db $tmp/rs"
)
hyperfine -N -i -w 3 -r "$runs" "${cmds[@]}"
