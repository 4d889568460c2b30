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
# Network and database-update inputs: advisories, manifests, and a few hand-written documents.
mkdir -p corpus/advisory_rustsec corpus/advisory_osv corpus/packument corpus/sparse_index \
  corpus/npmrc corpus/package_json
adv=../../shared/advisories
find ../testdata/check/advisories "$adv/rustsec" -name 'RUSTSEC-*.md' -size -64k 2>/dev/null | head -300 |
  while IFS= read -r f; do cp "$f" "corpus/advisory_rustsec/$(basename "$f")"; done
find ../testdata/check/advisories "$adv" -name '*.json' -size -64k 2>/dev/null | head -300 |
  while IFS= read -r f; do cp "$f" "corpus/advisory_osv/$(echo "$f" | tr '/' '_')"; done
find ../testdata -name package.json -size -64k | while IFS= read -r f; do
  cp "$f" "corpus/package_json/$(echo "$f" | tr '/' '_')"
done
printf '%s\n' '{"name":"left-pad","versions":{"1.3.0":{"dist":{"integrity":"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEkmdRdV1d9XnCH/N0zCH27ynbE38pSxYZTyVwHjoIBwFmg==","shasum":"5b8a3a7765dfe001261dde915589e782f8c94d1e","tarball":"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"},"deprecated":"x"}},"time":{"unpublished":null}}' \
  >corpus/packument/left-pad.json
printf '%s\n' '{"name":"serde","vers":"1.0.0","deps":[],"cksum":"5b8a3a7765dfe001261dde915589e782f8c94d1e5b8a3a7765dfe001261dde91","features":{},"yanked":false}' \
  >corpus/sparse_index/serde
printf '%s\n' '{"dl":"https://static.crates.io/crates/{crate}/{crate}-{version}.crate","api":"https://crates.io"}' \
  >corpus/sparse_index/config.json
printf '%s\n' 'registry=https://npm.corp.example/' '@corp:registry=https://npm.corp.example/corp/' \
  '//npm.corp.example/:_authToken=${NPM_TOKEN}' '//other.example:8443/p/:_auth=dXNlcjpwYXNz' >corpus/npmrc/npmrc
echo "seeded $n lockfiles"
