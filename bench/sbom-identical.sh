#!/usr/bin/env bash
# `tollgate sbom` writes the same bytes as a reference binary: every tollgate input of the
# corpus (../shared/corpus/manifest.json: Cargo.lock, package-lock.json, npm-shrinkwrap.json
# and the odd names, one at a time with --lockfile), each of their directories whole and the
# corpus's two trees whole (several lockfiles, several roots in one SBOM), and the generated
# 10k/100k npm locks; at --spec-version 1.6 and 1.5, SOURCE_DATE_EPOCH=0; to a file (-o, the
# streamed writer) and to standard output (in memory).
# Exit codes must match too (an input the reference refuses is refused alike).
#
#   bench/sbom-identical.sh REFERENCE_BINARY [NEW_BINARY] [SHARED_DIR]
#     (defaults: target/release/tollgate, ../shared beside the repo)
#
# Prints one line per difference and a summary; exits 1 when anything differs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${1:?usage: bench/sbom-identical.sh REFERENCE_BINARY [NEW_BINARY] [SHARED_DIR]}
new=${2:-$here/target/release/tollgate}
shared=$(cd "${3:-$here/../shared}" && pwd)
corpus=$shared/corpus
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=0

for n in 10000 100000; do
  f=$here/bench/out/npm-$n/package-lock.json
  [ -f "$f" ] || { mkdir -p "$(dirname "$f")"; "$shared/tools/gen-lockfile" npm -n "$n" --seed 7 -o "$f"; }
done

# Inputs: "ARGS…" lines (each run as `sbom ARGS`).
inputs=$tmp/inputs
python3 - "$corpus" >"$inputs" <<'EOF'
import json, os, sys
corpus = sys.argv[1]
m = json.load(open(os.path.join(corpus, "manifest.json")))
dirs = set()
for f in m["files"]:
    if f.get("tollgate_input"):
        p = os.path.join(corpus, f["path"])
        print(f"--lockfile\t{p}")
        dirs.add(os.path.dirname(p))
for d in sorted(dirs):
    print(d)
# Whole trees: every lockfile below, one SBOM (many roots).
for d in ("lockfiles", "fixtures"):
    print(os.path.join(corpus, d))
EOF
echo "$here/bench/out/npm-10000/package-lock.json" >>"$inputs"
echo "$here/bench/out/npm-100000/package-lock.json" >>"$inputs"

compared=0 differ=0 written=0
while IFS= read -r line; do
  IFS=$'\t' read -r -a args <<<"$line"
  for spec in 1.6 1.5; do
    for to in file stdout; do
      compared=$((compared + 1))
      if [ "$to" = file ]; then
        # The same -o path for both (the message on stderr names it).
        rc_a=0; "$ref" sbom "${args[@]}" --spec-version "$spec" -o "$tmp/out.json" >/dev/null 2>"$tmp/a.err" || rc_a=$?
        if [ -f "$tmp/out.json" ]; then mv "$tmp/out.json" "$tmp/a.json"; fi
        rc_b=0; "$new" sbom "${args[@]}" --spec-version "$spec" -o "$tmp/out.json" >/dev/null 2>"$tmp/b.err" || rc_b=$?
        if [ -f "$tmp/out.json" ]; then mv "$tmp/out.json" "$tmp/b.json"; fi
      else
        rc_a=0; "$ref" sbom "${args[@]}" --spec-version "$spec" >"$tmp/a.json" 2>"$tmp/a.err" || rc_a=$?
        rc_b=0; "$new" sbom "${args[@]}" --spec-version "$spec" >"$tmp/b.json" 2>"$tmp/b.err" || rc_b=$?
      fi
      if [ "$rc_a" != "$rc_b" ]; then
        echo "DIFFERENT exit ($rc_a vs $rc_b): sbom ${args[*]} --spec-version $spec ($to)"
        differ=$((differ + 1))
      elif [ "$rc_a" = 0 ] && ! cmp -s "$tmp/a.json" "$tmp/b.json"; then
        echo "DIFFERENT bytes: sbom ${args[*]} --spec-version $spec ($to)"
        differ=$((differ + 1))
      elif ! cmp -s "$tmp/a.err" "$tmp/b.err"; then
        echo "DIFFERENT stderr: sbom ${args[*]} --spec-version $spec ($to)"
        differ=$((differ + 1))
      elif [ "$rc_a" = 0 ]; then
        written=$((written + 1))
      fi
      rm -f "$tmp/a.json" "$tmp/b.json"
    done
  done
done <"$inputs"
echo "$compared comparisons ($(wc -l <"$inputs") inputs × 2 spec versions × file/stdout; $written with an SBOM written, the others refused alike), $differ different"
[ "$differ" = 0 ]
