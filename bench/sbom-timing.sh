#!/usr/bin/env bash
# Issue 14, item 9: `tollgate sbom` whole process, against `@cyclonedx/cyclonedx-npm
# --package-lock-only` on the corpus's largest npm locks, and on generated 10k/100k/300k-package
# npm locks (linear growth, memory against `tollgate graph` on the same file).
#
#   bench/sbom-timing.sh [SHARED_DIR] [RUNS]      (defaults: ../shared beside the repo, 3)
#
# Needs cyclonedx-npm (npm install --prefix DIR @cyclonedx/cyclonedx-npm; CYCLONEDX_NPM=DIR/node_modules/.bin/cyclonedx-npm)
# and GNU time (/usr/bin/time). Prints the best of RUNS for each command: wall s, user s, peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-3}
cdx=${CYCLONEDX_NPM:-cyclonedx-npm}
cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
out=$here/bench/out
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

best() { # best wall time of $runs runs of "$@": prints "wall user rss"
  local b=""
  for _ in $(seq "$runs"); do
    local r
    /usr/bin/time -o "$tmp/time" -f '%e %U %M' "$@" >/dev/null 2>&1 || true
    r=$(tail -1 "$tmp/time")
    if [ -z "$b" ] || awk -v a="${r%% *}" -v c="${b%% *}" 'BEGIN{exit !(a<c)}'; then b=$r; fi
  done
  echo "$b"
}

printf '%-34s %10s %10s %12s\n' command wall_s user_s peak_KiB
for p in netlify-cli-v3 theia-v3; do
  d=$tmp/$p; mkdir -p "$d"; cp "$shared/corpus/lockfiles/$p"/package*.json "$d/"
  r=$(best env SOURCE_DATE_EPOCH=0 "$tg" sbom "$d" -o "$tmp/$p.tollgate.json")
  printf '%-34s %10s %10s %12s\n' "tollgate sbom $p" $r
  if command -v "$cdx" >/dev/null; then
    r2=$( cd "$d" && best "$cdx" --package-lock-only --ignore-npm-errors --output-file "$tmp/$p.cdx.json")
    printf '%-34s %10s %10s %12s\n' "cyclonedx-npm $p" $r2
    awk -v a="${r2%% *}" -v b="${r%% *}" -v p="$p" 'BEGIN{printf "  ratio %s: %.1fx\n", p, a/b}'
  fi
done
for n in 10000 100000 300000; do
  f=$out/npm-$n/package-lock.json
  [ -f "$f" ] || { mkdir -p "$out/npm-$n"; "$shared/tools/gen-lockfile" npm -n "$n" --seed 7 -o "$f"; }
  r=$(best env SOURCE_DATE_EPOCH=0 "$tg" sbom "$out/npm-$n" -o "$tmp/sbom-$n.json")
  printf '%-34s %10s %10s %12s\n' "tollgate sbom npm-$n" $r
  g=$(best "$tg" graph "$out/npm-$n")
  printf '%-34s %10s %10s %12s\n' "tollgate graph npm-$n" $g
done
# Wall-clock medians with hyperfine when it is installed (the figures in docs/benchmarks-sbom.md):
# whole process, no shell (-N), one warm-up run; the load average is printed beside them, since
# the machine is shared.
if command -v hyperfine >/dev/null; then
  echo "hyperfine, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for n in 10000 100000 300000; do
    SOURCE_DATE_EPOCH=0 hyperfine -N -w 1 -r "$runs" --export-json "$out/hyperfine-sbom-$n.json" \
      "$tg sbom $out/npm-$n -o $tmp/sbom-$n.json" "$tg graph $out/npm-$n"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
