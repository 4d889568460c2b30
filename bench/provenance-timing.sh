#!/usr/bin/env bash
# Issue 13, item 8: provenance verification, whole process.
#
# 1. One Sigstore bundle per process: `tollgate attest verify --bundle` (keyless, the conformance
#    suite's happy path v0.3), `attest verify-provenance` (a GitHub-built SLSA provenance) and
#    `attest verify-npm` (an npm package's provenance + publish attestation).
# 2. `tollgate check --verify-provenance` against a registry served on 127.0.0.1 (python3), on two
#    generated npm locks: "flat", 2,000 distinct packages (1,995 plain ones, whose packuments name
#    no attestations or signatures, and the five npm vector packages of
#    ../shared/attest-vectors/slsa-verifier/npm/gha/, whose real attestations verify); and
#    "nested", 400 plain packages each with the five vector packages nested under it (2,400
#    entries, 2,000 of them attested: one verification per distinct version).
#
#   bench/provenance-timing.sh [SHARED_DIR] [RUNS]     (defaults: ../shared beside the repo, 20)
#
# Needs hyperfine (apt-get install -y hyperfine) and python3. BENCH_RT=1 runs the timed commands
# under `chrt -f 10` (root), as bench/speed-in-place.sh does, for stable figures on a shared machine. The in-process figures (bundles per
# second, tollgate's layer against the bare sigstore-verify call) are
# `cargo bench -p tollgate-attest --bench sigstore`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${1:-$here/../shared}" && pwd)
runs=${2:-20}
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install -y hyperfine)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 2; }

cargo build -q --release --locked -p tollgate --manifest-path "$here/Cargo.toml"
tg=$here/target/release/tollgate
v=$shared/attest-vectors
conf=$v/sigstore-conformance/bundle-verify
gha=$v/slsa-verifier/npm/gha
tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Linux $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $("$tg" --version), $(rustc --version)"

# The commands of part 1, checked once before they are timed.
id='https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main'
iss='https://token.actions.githubusercontent.com'
bundle_cmd="$tg attest verify --bundle $conf/happy-path-v0.3/bundle.sigstore.json --artifact $conf/a.txt --certificate-identity $id --certificate-oidc-issuer $iss"
npm_cmd="$tg attest verify-npm --attestations $gha/gundam-visor-cli-v1-tag.tgz.json --tarball $gha/gundam-visor-cli-v1-tag.tgz --source-uri github.com/ramonpetgrave64/gundam-visor --builder-id https://github.com/actions/runner/github-hosted"
$bundle_cmd >/dev/null
$npm_cmd >/dev/null

# Part 2: the registry and the lock.
python3 - "$tmp" "$gha" <<'PY'
import base64, hashlib, json, os, sys
tmp, gha = sys.argv[1], sys.argv[2]
vec = [
    ("provenance-npm-test-cli-v02-prega", "@laurentsimon/provenance-npm-test", "1.0.3"),
    ("gundam-visor-cli-v1-tag", "gundam-visor", "1.0.1"),
    ("provenance-npm-test-cli-v1-prega", "sigstore", "2.3.1"),
    ("supreme-googles-cli-v02-tag", "@trishankatdatadog/supreme-goggles", "1.0.5"),
    ("provenance-npm-test-ossf", "@laurentsimon/provenance-npm-test-ossf", "1.0.5"),
]
root = os.path.join(tmp, "www")
def put(path, data):
    p = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
def sri(b):
    return "sha512-" + base64.b64encode(hashlib.sha512(b).digest()).decode()
packages = {"": {"name": "bench", "version": "1.0.0", "dependencies": {}}}
def packument(name, version, integrity, attested):
    dist = {"integrity": integrity, "tarball": f"https://registry.npmjs.org/{name}/-/x-{version}.tgz"}
    if attested:
        dist["attestations"] = {"url": f"https://registry.npmjs.org/-/npm/v1/attestations/{name.replace('/', '%2f', 1)}@{version}",
                                "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}
    return json.dumps({"name": name, "versions": {version: {"name": name, "version": version, "dist": dist}},
                       "time": {version: "2023-06-01T00:00:00Z"}}).encode()
vecs = []
for stem, name, version in vec:
    tgz = open(os.path.join(gha, stem + ".tgz"), "rb").read()
    att = open(os.path.join(gha, stem + ".tgz.json"), "rb").read()
    if name == "@laurentsimon/provenance-npm-test-ossf":
        name = "@laurentsimon/provenance-npm-test"  # the ossf build of the same package, 1.0.5
    integ = sri(tgz)
    vecs.append((name, version, integ))
    # One packument per name (two versions of provenance-npm-test).
    put("/" + name, packument(name, version, integ, True)) if name != "@laurentsimon/provenance-npm-test" else None
    put(f"/-/npm/v1/attestations/{name}@{version}", att)
# provenance-npm-test: both versions in one packument.
pnt = [(n, v, i) for (n, v, i) in vecs if n == "@laurentsimon/provenance-npm-test"]
doc = {"name": pnt[0][0], "versions": {}, "time": {}}
for n, v, i in pnt:
    doc["versions"][v] = {"name": n, "version": v, "dist": {"integrity": i, "tarball": "x",
        "attestations": {"url": f"https://registry.npmjs.org/-/npm/v1/attestations/{n.replace('/', '%2f', 1)}@{v}"}}}
    doc["time"][v] = "2023-06-01T00:00:00Z"
put("/" + pnt[0][0], json.dumps(doc).encode())
for i in range(400):
    name = f"plain-{i:03}"
    integ = sri(name.encode())
    put("/" + name, packument(name, "1.0.0", integ, False))
    packages[""]["dependencies"][name] = "1.0.0"
    deps = {}
    packages[f"node_modules/{name}"] = {"version": "1.0.0", "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz", "integrity": integ, "dependencies": deps}
    for j, (n, v, integ2) in enumerate(vecs):
        # 400 × 5 nested entries; the ossf build and the v0.2 one are two versions of one name.
        key = f"node_modules/{name}/node_modules/{n}" if j != 4 else f"node_modules/{name}/node_modules/x/node_modules/{n}"
        base = n.rsplit("/", 1)[-1]
        packages[key] = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{base}-{v}.tgz", "integrity": integ2}
flat = {"": {"name": "bench", "version": "1.0.0", "dependencies": {}}}
for i in range(1995):
    name = f"flat-{i:04}"
    integ = sri(name.encode())
    put("/" + name, packument(name, "1.0.0", integ, False))
    flat[""]["dependencies"][name] = "1.0.0"
    flat[f"node_modules/{name}"] = {"version": "1.0.0", "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz", "integrity": integ}
for j, (n, v, integ2) in enumerate(vecs):
    key = f"node_modules/{n}" if j != 4 else f"node_modules/flat-0000/node_modules/{n}"
    base = n.rsplit("/", 1)[-1]
    flat[key] = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{base}-{v}.tgz", "integrity": integ2}
for proj, pk in (("nested", packages), ("flat", flat)):
    os.makedirs(os.path.join(tmp, proj), exist_ok=True)
    with open(os.path.join(tmp, proj, "package-lock.json"), "w") as f:
        json.dump({"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pk}, f)
    with open(os.path.join(tmp, proj, "tollgate.toml"), "w") as f:
        f.write("[provenance]\nrequire-signatures = false\n[drift]\nenabled = false\n")
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$tmp/www" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server_pid=$!
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/gundam-visor')" 2>/dev/null && break; sleep 0.1; done
# The embedded advisory snapshot: this times provenance, not advisory loading.
check_cmd() { echo "$tg check $tmp/$1 --verify-provenance --registry-url-npm http://127.0.0.1:$port/ --no-cache --allow-empty-db --format json -q"; }
for proj in flat nested; do
  set +e
  $(check_cmd $proj) >"$tmp/report-$proj.json"
  rc=$?
  set -e
  python3 - "$tmp/report-$proj.json" "$rc" "$proj" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cov = {c["check"]: c for c in r.get("coverage", [])}
p = cov["provenance"]
print(f"check --verify-provenance ({sys.argv[3]}): exit {sys.argv[2]}, {r['packages']} packages; provenance {p['verified']} verified, {p['failed']} failed, {p['unsigned']} unsigned, {p['unverifiable']} unverifiable")
PY
done

rt=()
if [ "${BENCH_RT:-0}" = 1 ]; then rt=(chrt -f 10); fi
"${rt[@]}" hyperfine -N -w 3 -r "$runs" --style basic \
  -n "attest verify --bundle (keyless v0.3)" "$bundle_cmd" \
  -n "attest verify-npm (provenance + publish)" "$npm_cmd"
"${rt[@]}" hyperfine -N -i -w 1 -r "$(( runs < 10 ? runs : 10 ))" --style basic \
  -n "check --verify-provenance, flat 2,000 packages (5 attested), loopback" "$(check_cmd flat)" \
  -n "check --verify-provenance, nested 2,400 entries (2,000 attested), loopback" "$(check_cmd nested)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
