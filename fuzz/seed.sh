#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the real files of ../../shared/corpus (and this
# repository's own manifests and tollgate.toml). Safe to re-run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
shared=../../shared/corpus
mkdir -p corpus/cargo_lock corpus/npm_lock corpus/cargo_manifest corpus/config
n=0
while IFS= read -r -d '' f; do
  case "$f" in
    *.json) dest=npm_lock ;;
    *Cargo.lock*|*/cargo/*.lock) dest=cargo_lock ;;
    *) continue ;;
  esac
  cp "$f" "corpus/$dest/$(echo "$f" | tr '/' '_')"
  n=$((n + 1))
done < <(find "$shared" -type f -size -2M -print0)
for f in ../Cargo.toml ../*/Cargo.toml; do
  cp "$f" "corpus/cargo_manifest/$(echo "$f" | tr '/.' '__')"
done
cp ../tollgate.toml corpus/config/tollgate.toml
echo "seeded $n lockfiles"
