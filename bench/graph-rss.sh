#!/usr/bin/env bash
# Issue 12, item 6: peak RSS of building the Cargo graph against the lockfile's size.
# For every Cargo.lock of SHARED_DIR/corpus/lockfiles and the generated 20,000- and
# 100,000-package locks (bench/out/, made by bench/graph-timing.sh or here), runs
# `tollgate graph FILE` RUNS times under GNU time and prints the file size, the smallest peak RSS
# and their ratio (target: ≤ 4 on the large files; on small files the binary's own few MB dominate).
#
#   bench/graph-rss.sh [SHARED_DIR] [RUNS]        (defaults: ../shared beside the repo, 3)
#   TOLLGATE=/path/to/tollgate bench/graph-rss.sh  (measure that binary, no build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-3}
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time; apt-get install -y time)" >&2; exit 2; }
if [ -z "${TOLLGATE:-}" ]; then
  cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
  TOLLGATE=$here/target/release/tollgate
fi
out=$here/bench/out
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for n in 20000 100000; do
  f=$out/cargo-$((n / 1000))k/Cargo.lock
  if [ ! -s "$f" ]; then
    mkdir -p "$(dirname "$f")"
    python3 "$shared/tools/gen-lockfile" cargo -n "$n" --seed 1 -o "$f"
  fi
done
echo "binary: $TOLLGATE; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %s | %s | %s | %s |\n' file bytes "peak RSS (KiB)" "RSS / size"
printf '| --- | ---: | ---: | ---: |\n'
for f in "$shared"/corpus/lockfiles/*/Cargo.lock "$out"/cargo-20k/Cargo.lock "$out"/cargo-100k/Cargo.lock; do
  size=$(stat -c %s "$f")
  best=
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tmp" -f %M "$TOLLGATE" graph "$f" >/dev/null 2>&1 || true
    kb=$(tail -n 1 "$tmp")
    if [ -z "$best" ] || [ "$kb" -lt "$best" ]; then best=$kb; fi
  done
  name=${f#"$shared/corpus/"}; name=${name#"$here/"}
  printf '| `%s` | %d | %d | %s |\n' "$name" "$size" "$best" "$(python3 -c "print(f'{$best * 1024 / $size:.2f}')")"
done
