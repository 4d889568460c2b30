#!/usr/bin/env python3
"""Generates a fleet of CycloneDX 1.6 SBOMs for `bench/rescan-timing.sh` (issue 14, item 9).

    bench/gen-sbom-fleet.py POOL_DIR OUT_DIR [--count 10000] [--components 500] [--seed 7]

POOL_DIR holds SBOMs (tollgate's own, of the corpus lockfiles); their components, with real
names, versions and hashes, are the pool. Each generated SBOM draws --components of them at
random (seeded: the same arguments give the same files), gives them a random dependency tree
under a described application, and is written as compact JSON (the structure of tollgate's
own SBOMs, without the whitespace: 10,000 SBOMs of 500 components are ~3 GB this way). Files
are spread over 100 subdirectories, as a release store would hold them.
"""
import argparse
import json
import os
import random
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pool")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--components", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    pool = {}
    for root, _, files in os.walk(a.pool):
        for f in sorted(files):
            if not f.endswith(".cdx.json"):
                continue
            with open(os.path.join(root, f)) as fh:
                bom = json.load(fh)
            for c in bom.get("components", []):
                if c.get("purl") and c.get("version"):
                    c = {k: v for k, v in c.items() if k != "properties"}
                    pool[c["purl"]] = c
    comps = [pool[k] for k in sorted(pool)]
    if len(comps) < a.components:
        print(f"pool has {len(comps)} components, fewer than {a.components}", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.count):
        picked = rng.sample(comps, a.components)
        root = f"pkg:npm/app-{i}@1.0.{i % 97}"
        deps = {root: []}
        refs = [c["bom-ref"] for c in picked]
        for j, r in enumerate(refs):
            parent = root if j < 20 else refs[rng.randrange(j)]
            deps.setdefault(parent, []).append(r)
            deps.setdefault(r, [])
        bom = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "serialNumber": "urn:uuid:%08x-0000-4000-8000-%012x" % (a.seed, i),
            "version": 1,
            "metadata": {
                "timestamp": "2026-01-01T00:00:00Z",
                "component": {"type": "application", "bom-ref": root, "name": f"app-{i}",
                              "version": f"1.0.{i % 97}", "purl": root},
            },
            "components": sorted(picked, key=lambda c: c["bom-ref"]),
            "dependencies": [{"ref": k, "dependsOn": sorted(v)} for k, v in sorted(deps.items())],
        }
        d = os.path.join(a.out, f"{i % 100:02d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"app-{i}.cdx.json"), "w") as fh:
            json.dump(bom, fh, separators=(",", ":"))
    print(f"{a.count} SBOMs of {a.components} components (pool {len(comps)}) in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
