#!/usr/bin/env bash
# Differential: vulnerability ids found by tollgate's matcher (RustSec source only) vs cargo-audit,
# on every Cargo.lock of the corpus, with the same advisory snapshot.
#
#   bench/differential-cargo-audit.sh [SHARED_DIR]     (default: ../shared beside the repo)
#
# Needs `cargo audit` (cargo install cargo-audit --locked; CARGO_AUDIT=/path/to/cargo-audit to
# pick a binary). Prints one line per lockfile and exits 1 on any difference.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
db_src=$shared/advisories/rustsec
audit=${CARGO_AUDIT:-cargo-audit}
command -v "$audit" >/dev/null || { echo "cargo-audit not found (set CARGO_AUDIT)" >&2; exit 2; }

cargo build -q --release -p tollgate --manifest-path "$here/Cargo.toml"
cargo build -q --release -p tollgate-verifier --example advisory_match --manifest-path "$here/Cargo.toml"
match=$here/target/release/examples/advisory_match
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$here/target/release/tollgate" db import "$db_src" --db "$tmp/db" >/dev/null

status=0
files=$(ls "$shared"/corpus/lockfiles/*/Cargo.lock "$shared"/corpus/fixtures/cargo-lock-crate/Cargo.lock* \
          "$shared"/corpus/fixtures/cargo-lock-crate/source_disambiguation/Cargo.lock* 2>/dev/null)
for f in $files; do
  rel=${f#"$shared"/corpus/}
  # cargo-audit: vulnerabilities only (informational warnings are a separate list)
  "$audit" audit --db "$db_src" --no-fetch --no-yanked --json --file "$f" >"$tmp/audit.json" 2>"$tmp/audit.err" || true
  if ! jq -e . "$tmp/audit.json" >/dev/null 2>&1; then
    echo "SKIP  $rel  (cargo-audit: $(head -c 200 "$tmp/audit.err" | tr '\n' ' '))"
    continue
  fi
  jq -r '.vulnerabilities.list[] | "\(.advisory.id) \(.package.name)@\(.package.version)"' "$tmp/audit.json" | sort -u >"$tmp/a.txt"
  if ! "$match" --db "$tmp/db" "$f" >"$tmp/t.tsv" 2>"$tmp/t.err"; then
    echo "ERROR $rel  (tollgate: $(head -c 200 "$tmp/t.err" | tr '\n' ' '))"; status=1; continue
  fi
  awk -F'\t' '$1=="vulnerability"{split($2,ids,","); print ids[1]" "$3}' "$tmp/t.tsv" | sort -u >"$tmp/t.txt"
  if cmp -s "$tmp/a.txt" "$tmp/t.txt"; then
    echo "SAME  $rel  ($(wc -l <"$tmp/a.txt") vulnerabilities)"
  else
    echo "DIFF  $rel"; diff "$tmp/a.txt" "$tmp/t.txt" | sed 's/^/      /' || true; status=1
  fi
done
exit $status
