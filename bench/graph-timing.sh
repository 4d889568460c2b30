#!/usr/bin/env bash
# Whole-process wall time and peak memory of `tollgate graph FILE` and
# `tollgate graph FILE --format json > /dev/null`, against a baseline program that only reads the
# file and parses it into `serde_json::Value` / `toml::Table` (verifier/examples/parse_baseline.rs).
#
#   bench/graph-timing.sh [SHARED_DIR] [RUNS]
#
# Inputs: the largest Cargo and npm lockfiles of SHARED_DIR/corpus/lockfiles, and lockfiles from
# SHARED_DIR/tools/gen-lockfile: npm v3 of 100,000 and 300,000 packages, Cargo.lock of 20,000 and
# 100,000 (generated once into bench/out/, which is git-ignored). Every command runs RUNS times
# (default 7) in turn with the others; the table gives medians. On a shared machine the ratio
# (tollgate / baseline) is the robust figure: both sides see the same load.
#
# Targets (issue 4): time ratio ≤ 2, tollgate's peak RSS below the baseline's (aim: 4× the file).
# Prints a Markdown table; docs/benchmarks.md holds the figures of the last run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
runs=${2:-7}
out=$here/bench/out
mkdir -p "$out"

cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
cargo build -q --release --locked -p tollgate-verifier --example parse_baseline \
  --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
base=$here/target/release/examples/parse_baseline
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time) for peak RSS" >&2; exit 2; }

gen() { # ecosystem n file: generate once (gen-lockfile is deterministic: seed 1)
  local eco=$1 n=$2 file=$3
  if [ ! -s "$file" ]; then
    mkdir -p "$(dirname "$file")"
    echo "generating $file ($eco, -n $n)…" >&2
    python3 "$shared/tools/gen-lockfile" "$eco" -n "$n" --seed 1 -o "$file"
  fi
}
gen npm 100000 "$out/npm-100k/package-lock.json"
gen npm 300000 "$out/npm-300k/package-lock.json"
gen cargo 20000 "$out/cargo-20k/Cargo.lock"
gen cargo 100000 "$out/cargo-100k/Cargo.lock"

largest() { ls -S "$@" | head -1; }
inputs=(
  "$(largest "$shared"/corpus/lockfiles/*/Cargo.lock)"
  "$(largest "$shared"/corpus/lockfiles/*/package-lock.json "$shared"/corpus/lockfiles/*/npm-shrinkwrap.json)"
  "$out/cargo-20k/Cargo.lock"
  "$out/cargo-100k/Cargo.lock"
  "$out/npm-100k/package-lock.json"
  "$out/npm-300k/package-lock.json"
)

# One run: prints "<wall ms> <peak RSS KiB>". Wall time from bash's clock around the process;
# peak RSS from GNU time. stdout goes to /dev/null (the JSON case writes the whole graph there).
measure() {
  local rss=$out/.rss t0 t1
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$rss" "$@" >/dev/null 2>/dev/null || { echo "failed: $*" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo "$(( (${t1/./} - ${t0/./}) / 1000 )) $(cat "$rss")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

packages_of() { # the node count tollgate reports
  "$tg" graph "$1" --format json -q | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["packages"]))'
}

printf '| file | size | packages | baseline time | baseline RSS | `graph` time | `graph` RSS | `graph --format json` time | json RSS | time ratio (graph, json) | RSS ratio (graph) | graph RSS / file size |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for f in "${inputs[@]}"; do
  # Run from the file's directory so `tollgate.toml` discovery and the Cargo.toml walk see
  # what a user in that project would.
  dir=$(dirname "$f")
  name=${f#"$shared/corpus/"}
  name=${name#"$here/"}
  size=$(stat -c %s "$f")
  : >"$out/.b" ; : >"$out/.g" ; : >"$out/.j"
  measure "$base" "$f" >/dev/null # warm the page cache
  for _ in $(seq "$runs"); do
    (cd "$dir" && measure "$base" "$f") >>"$out/.b"
    (cd "$dir" && measure "$tg" graph "$f") >>"$out/.g"
    (cd "$dir" && measure "$tg" graph "$f" --format json) >>"$out/.j"
  done
  bt=$(cut -d' ' -f1 "$out/.b" | median); br=$(cut -d' ' -f2 "$out/.b" | median)
  gt=$(cut -d' ' -f1 "$out/.g" | median); gr=$(cut -d' ' -f2 "$out/.g" | median)
  jt=$(cut -d' ' -f1 "$out/.j" | median); jr=$(cut -d' ' -f2 "$out/.j" | median)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }
  mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }
  printf '| `%s` | %.1f MB | %s | %s ms | %s | %s ms | %s | %s ms | %s | %s, %s | %s | %s |\n' \
    "$name" "$(awk -v s="$size" 'BEGIN{print s/1e6}')" "$(packages_of "$f")" \
    "$bt" "$(mb "$br")" "$gt" "$(mb "$gr")" "$jt" "$(mb "$jr")" \
    "$(ratio "$gt" "$bt")" "$(ratio "$jt" "$bt")" "$(ratio "$gr" "$br")" \
    "$(ratio "$((gr * 1024))" "$size")"
done
rm -f "$out/.rss" "$out/.b" "$out/.g" "$out/.j"
