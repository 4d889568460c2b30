#!/usr/bin/env python3
"""Derives the drifted twins in testdata/drift/ from the in-sync bases (see testdata/README.md).

Each case directory is a copy of a base with one edit. Re-run after changing a base:
    python3 testdata/drift/make.py
"""
import json, pathlib, re, shutil

HERE = pathlib.Path(__file__).resolve().parent


def derive(base, case, edits):
    dst = HERE / case
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(HERE / base, dst)
    for path, fn in edits:
        p = dst / path
        if fn is None:
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            continue
        p.write_text(fn(p.read_text()))


def sub(old, new):
    def f(text):
        assert old in text, (old, text)
        return text.replace(old, new, 1)
    return f


def json_edit(fn):
    def f(text):
        doc = json.loads(text)
        fn(doc)
        return json.dumps(doc, indent=2) + "\n"
    return f


APP = "crates/app/Cargo.toml"
# Cargo workspace: members by glob, [workspace.dependencies] inheritance, version.workspace,
# renamed, target-specific, build and dev dependencies, a path dependency.
derive("cargo-ws", "cargo-ws-req", [(APP, sub('version = "2.7"', 'version = "2.9"'))])
derive("cargo-ws", "cargo-ws-added", [(APP, sub('[dev-dependencies]', 'hex = "0.4"\n\n[dev-dependencies]'))])
derive("cargo-ws", "cargo-ws-removed", [(APP, sub("[target.'cfg(unix)'.dependencies]\nlibc = \"0.2.150\"\n\n", ""))])
derive("cargo-ws", "cargo-ws-version", [("Cargo.toml", sub('version = "0.3.0"', 'version = "0.4.0"'))])
derive("cargo-ws", "cargo-ws-inherit", [("Cargo.toml", sub('itoa = "1.0.10"', 'itoa = "1.1"'))])
derive("cargo-ws", "cargo-ws-source", [(APP, sub('mc = { package = "memchr", version = "2.7" }',
                                               'mc = { package = "memchr", git = "https://git.example.test/memchr" }'))])
derive("cargo-ws", "cargo-ws-stale", [("Cargo.lock", lambda t: t + '\n[[package]]\nname = "old-tool"\nversion = "0.1.0"\n')])
derive("cargo-ws", "cargo-ws-member-missing", [("crates/util", None)])
# Path dependencies only, so that `cargo metadata --offline` works without a registry.
derive("cargo-paths", "cargo-paths-version", [("crates/lib-b/Cargo.toml", sub('version = "0.1.0"', 'version = "0.2.0"'))])
# A path dependency outside the repository (the repository root is the case directory).
derive("cargo-outside", "cargo-outside-drift",
       [(APP, sub('path = "../../vendor/shared"', 'path = "../../../cargo-outside/vendor/shared"'))])

ROOT = "package.json"
# npm workspaces (lock v3 written by npm 11): registry ranges, an alias, a file: folder, dev,
# optional and peer dependencies, workspace members depending on each other.
derive("npm-ws", "npm-ws-range", [(ROOT, sub('"is-odd": "^3.0.0"', '"is-odd": "^4.0.0"'))])
derive("npm-ws", "npm-ws-added", [(ROOT, json_edit(lambda d: d["dependencies"].update({"is-even": "^1.0.0"})))])
derive("npm-ws", "npm-ws-removed", [(ROOT, json_edit(lambda d: d["dependencies"].pop("is-odd")))])
derive("npm-ws", "npm-ws-recorded", [(ROOT, sub('"left-pad": "^1.3.0"', '"left-pad": "^1.2.0"'))])
derive("npm-ws", "npm-ws-alias", [(ROOT, sub('"npm:ms@^2.1.0"', '"npm:mx@^2.1.0"'))])
derive("npm-ws", "npm-ws-file", [(ROOT, sub('"file:vendor/c"', '"file:vendor/d"'))])
derive("npm-ws", "npm-ws-member", [("packages/b/package.json", sub('"version": "0.2.0"', '"version": "0.3.0"'))])
derive("npm-ws", "npm-ws-gone", [("packages/b", None),
                                 ("packages/a/package.json", json_edit(lambda d: d["dependencies"].pop("b")))])
derive("npm-ws", "npm-ws-peer", [(ROOT, sub('"kind-of": ">=6"', '"kind-of": ">=7"'))])
# npm 6 lockfile (v1: no record of the root's declarations).
derive("npm-v1", "npm-v1-range", [(ROOT, sub('"is-odd": "^3.0.0"', '"is-odd": "^4.0.0"'))])
derive("npm-v1", "npm-v1-removed", [(ROOT, json_edit(lambda d: d.pop("devDependencies")))])
