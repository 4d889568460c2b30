#!/usr/bin/env bash
# `tollgate check --verify-registry` on generated 2,000-package lockfiles (npm and Cargo) against
# a mock registry on 127.0.0.1 (verifier/examples/registry_mock.rs): total time, registry-stage
# time and requests/s, cold (--no-cache) and warm (ETag revalidation, every answer a 304).
# Then the cost of the offline pinning/source checks on the largest corpus lockfile (and the
# largest Cargo.lock): `check` with the default config vs a config that disables every offline
# check (bench/offline-checks-overhead.py, CPU time of interleaved runs).
#
#   bench/registry-timing.sh [SHARED_DIR] [RUNS]
#
# Figures go to docs/benchmarks-registry.md by hand. Medians of RUNS runs (default 7).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
runs=${2:-7}
cargo build -q --release -p tollgate --manifest-path "$here/Cargo.toml"
cargo build -q --release -p tollgate-verifier --example registry_mock --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
mock=$here/target/release/examples/registry_mock
out=$here/bench/out/registry
rm -rf "$out"; mkdir -p "$out/npm" "$out/cargo"
"$shared/tools/gen-lockfile" npm -n 2000 --seed 1 -o "$out/npm/package-lock.json"
"$shared/tools/gen-lockfile" cargo -n 2000 --seed 1 -o "$out/cargo/Cargo.lock"
"$mock" "$out/npm/package-lock.json" "$out/cargo/Cargo.lock" >"$out/url" 2>"$out/mock.log" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.05; done
url=$(head -1 "$out/url")
# The generated npm lockfile names the corpus' registry host: allow it (unknown-source).
printf '[registries]\nnpm = ["https://registry.npmjs.test/"]\n' >"$out/tollgate.toml"

requests() { curl -fsS "${url}__requests"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run_check DIR ARGS... → "ms requests" of one run (exit 0 or 1 accepted, 2 is a failure)
run_check() {
  local dir=$1; shift
  local before after start end rc
  before=$(requests); start=$(date +%s%N)
  set +e
  "$tg" check "$dir" --config "$out/tollgate.toml" -q --format json "$@" >/dev/null 2>"$out/err"
  rc=$?
  set -e
  end=$(date +%s%N); after=$(requests)
  if [ "$rc" -eq 2 ]; then echo "tollgate failed:" >&2; cat "$out/err" >&2; exit 1; fi
  echo "$(( (end - start) / 1000000 )) $(( after - before ))"
}

# bench NAME DIR ARGS... → one line of figures
bench() {
  local name=$1 dir=$2; shift 2
  local times=() reqs=0 line
  for _ in $(seq "$runs"); do
    line=$(run_check "$dir" "$@")
    times+=("${line% *}"); reqs=${line#* }
  done
  local ms; ms=$(printf '%s\n' "${times[@]}" | median)
  echo "$ms $reqs"
}

pkgs() { "$tg" graph "$1" --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for p in d["packages"] if not p.get("root")))' 2>/dev/null || echo "?"; }

echo "mock registry: $url"
for eco in npm cargo; do
  dir=$out/$eco
  echo "== $eco: $(pkgs "$dir") packages"
  base=$(bench base "$dir"); base_ms=${base% *}
  echo "check (no registry):              ${base_ms} ms"
  cold=$(bench cold "$dir" --verify-registry --registry-url-npm "$url" --registry-url-cargo "$url" --no-cache)
  cold_ms=${cold% *}; cold_req=${cold#* }
  stage=$(( cold_ms - base_ms )); [ "$stage" -gt 0 ] || stage=1
  echo "--verify-registry --no-cache:     ${cold_ms} ms total, ${stage} ms registry stage, ${cold_req} requests, $(( cold_req * 1000 / stage )) req/s (stage), $(( cold_req * 1000 / cold_ms )) req/s (total)"
  rm -rf "$out/cache-$eco"
  run_check "$dir" --verify-registry --registry-url-npm "$url" --registry-url-cargo "$url" --cache-dir "$out/cache-$eco" >/dev/null
  warm=$(bench warm "$dir" --verify-registry --registry-url-npm "$url" --registry-url-cargo "$url" --cache-dir "$out/cache-$eco")
  warm_ms=${warm% *}; warm_req=${warm#* }
  echo "--verify-registry, warm cache:    ${warm_ms} ms total, ${warm_req} requests (304)"
  off=$(bench off "$dir" --verify-registry --registry-url-npm "$url" --registry-url-cargo "$url" --cache-dir "$out/cache-$eco" --offline)
  echo "--verify-registry --offline:      ${off% *} ms total, ${off#* } requests"
done

# Offline checks: default config vs every offline check disabled, on the largest corpus lockfile.
largest=$(ls -S "$shared"/corpus/lockfiles/*/package-lock.json "$shared"/corpus/lockfiles/*/npm-shrinkwrap.json "$shared"/corpus/lockfiles/*/Cargo.lock | head -1)
cat >"$out/off.toml" <<'EOF'
[registries]
npm = ["https://registry.npmjs.test/"]
[pinning.missing-hash]
enabled = false
[pinning.weak-hash]
enabled = false
[pinning.unpinned-git]
enabled = false
[pinning.install-script]
enabled = false
[sources.insecure-url]
enabled = false
[sources.unknown-source]
enabled = false
[sources.credential-in-url]
enabled = false
[sources.path-outside-repo]
enabled = false
[drift]
enabled = false
EOF
# The same checks minus the two that find something on this lockfile (weak-hash: sha1-only
# entries, install-script): what computing the checks costs, without building and rendering
# their findings.
{ printf '[registries]\nnpm = ["https://registry.npmjs.test/"]\n'
  printf '[pinning.weak-hash]\nenabled = false\n[pinning.install-script]\nenabled = false\n'; } >"$out/nofind.toml"
for lock in "$largest" "$shared/corpus/lockfiles/moonbeam-v4/Cargo.lock"; do
  echo "== offline checks on $lock ($(pkgs "$lock") packages): CPU time, $(( runs * 20 )) interleaved runs"
  python3 "$here/bench/offline-checks-overhead.py" "$tg" "$lock" "$out/tollgate.toml" "$out/off.toml" "$out/nofind.toml" $(( runs * 20 ))
done
