#!/usr/bin/env bash
# Issue 15, item 8: what receipts cost.
#
#   bench/audit-timing.sh [SHARED_DIR] [RUNS]      (defaults: ../shared beside the repo, 15)
#
# 1. `tollgate check` per run, without receipts, with `--audit-log LOG --key K` (one record
#    appended: lock, tail read, sign, write, fsync) and with `--attest-result` as well, on a small
#    lockfile (testdata/graph/cargo-v4-git) and on the corpus's largest npm lock; Ed25519 keys.
#    Commands alternate; the table gives medians of RUNS runs (wall ms).
# 2. `tollgate audit verify` over a 100,000-record Ed25519 log (written by the criterion bench
#    `cargo bench -p tollgate-attest --bench audit`, which also measures the library:
#    `audit_record/*`, `audit_verify/*` and `audit_append/*`): best of 3, records/s.
# Prints Markdown; docs/benchmarks-audit.md holds the figures of the last run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-15}
cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$tg" key generate --algorithm ed25519 --out "$tmp/gate" >/dev/null

ms() { # wall ms of "$@"
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000))
}
median() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'; }

big=$shared/corpus/lockfiles/netlify-cli-2023-shrinkwrap-v2/npm-shrinkwrap.json
echo
echo "| input | check | + --audit-log | + --attest-result | append cost |"
echo "|---|---:|---:|---:|---:|"
for input in "$here/testdata/graph/cargo-v4-git/Cargo.lock" "$big"; do
  base=(check "$input" -q --now 2026-03-01 --format json)
  : > "$tmp/plain"; : > "$tmp/log"; : > "$tmp/vsa"
  rm -f "$tmp/audit.jsonl"
  for _ in $(seq "$runs"); do
    ms "$tg" "${base[@]}" >> "$tmp/plain"
    ms "$tg" "${base[@]}" --audit-log "$tmp/audit.jsonl" --key "$tmp/gate.key" >> "$tmp/log"
    ms "$tg" "${base[@]}" --audit-log "$tmp/audit.jsonl" --key "$tmp/gate.key" \
      --attest-result --attest-out "$tmp/vsa.jsonl" >> "$tmp/vsa"
  done
  p=$(median < "$tmp/plain"); l=$(median < "$tmp/log"); v=$(median < "$tmp/vsa")
  echo "| $(basename "$(dirname "$input")")/$(basename "$input") | $p ms | $l ms | $v ms | $(awk -v a="$l" -v b="$p" 'BEGIN{printf "%+.1f ms", a-b}') |"
  "$tg" audit verify "$tmp/audit.jsonl" --key "$tmp/gate.pub" >/dev/null
done

echo
AUDIT_BENCH_OUT=$tmp/100k cargo bench -q --locked -p tollgate-attest --bench audit \
  --manifest-path "$here/Cargo.toml" -- --noplot 2>&1 | grep -E "^audit_|time:|thrpt:|records," || true
best=""
for _ in 1 2 3; do
  t=$(ms "$tg" audit verify "$tmp/100k/audit-100k.jsonl" --key "$tmp/100k/audit-100k.pub")
  if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
"$tg" audit verify "$tmp/100k/audit-100k.jsonl" --key "$tmp/100k/audit-100k.pub" | head -1
echo
echo "tollgate audit verify, 100,000 Ed25519 records ($(du -h "$tmp/100k/audit-100k.jsonl" | cut -f1)): $(awk -v us="$best" 'BEGIN{printf "%.2f s, %.0f records/s", us/1e6, 100000/(us/1e6)}')"
