//! Cargo drift: `Cargo.toml` files against `Cargo.lock`, as `cargo --locked` would judge them.
//!
//! When `cargo metadata --locked --offline` ran and accepted the lock, cargo's word is final and
//! nothing is compared. When it refused (`--locked` would have to change the lock), that refusal
//! is a finding, and the manifests are compared too so that the report names the declarations.
//! When it could not run, the manifests are compared on their own.

use std::collections::HashSet;

use crate::graph::{DepKind, PackageId};
use crate::lockfile::cargo_manifest::{DeclaredDep, DeclaredSource, Manifest};
use crate::package::{Ecosystem, GitRef, Package, Source};

use super::super::CheckCx;
use super::super::public::{CRATES_IO_GIT, CRATES_IO_SPARSE};
use super::super::support::under_registry;
use super::{CargoProject, CargoVerdict, Issue, Report};
use crate::finding::{Finding, FixHint};
use crate::paths::display_path;

/// Compares one workspace with its lock.
pub(super) fn check(cx: &CheckCx<'_>, p: &CargoProject, out: &mut Vec<Finding>) {
    let Some(lock) = cx.graph.lockfiles.get(p.lockfile as usize) else {
        return;
    };
    let mut r = Report {
        cx,
        ecosystem: Ecosystem::Cargo,
        out,
    };
    let path_nodes: Vec<PackageId> = cx
        .graph
        .packages()
        .filter(|(_, q)| q.location.lockfile == p.lockfile && matches!(q.source, Source::Path))
        .map(|(id, _)| id)
        .collect();
    let ws = &p.workspace;
    let root_node = ws
        .root
        .package
        .as_ref()
        .and_then(|pk| {
            path_nodes
                .iter()
                .copied()
                .find(|&id| cx.graph.package(id).name == pk.name)
        })
        .or_else(|| {
            cx.graph
                .roots()
                .iter()
                .copied()
                .find(|&id| cx.graph.package(id).location.lockfile == p.lockfile)
        });
    match &p.verdict {
        CargoVerdict::InSync => return,
        CargoVerdict::NeedsUpdate(msg) => r.push(Issue {
            subject: root_node,
            name: "",
            via: None,
            file: lock.display.clone(),
            line: 1,
            key: "cargo-metadata".into(),
            title: format!("{} needs to be updated (cargo --locked refuses it)", lock.display),
            message: format!(
                "`cargo metadata --locked --offline` refused {}: the lock would have to change to match the manifests. Cargo said:\n{msg}",
                lock.display
            ),
            fix: update_workspace(true),
        }),
        CargoVerdict::NotRun | CargoVerdict::NotOnPath | CargoVerdict::Failed(_) => {}
    }

    let file_of = |m: &Manifest| display_path(lock, &p.lock_dir, &m.path);
    let mut matched: HashSet<PackageId> = HashSet::new();

    // Manifests the workspace names that are not there: cargo cannot load the workspace, and
    // the lock entries of those packages cannot be attributed.
    let mut unreadable = false;
    for m in &ws.missing {
        let dir_name = m
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = m.name.clone().unwrap_or(dir_name);
        let nodes: Vec<PackageId> = path_nodes
            .iter()
            .copied()
            .filter(|&id| cx.graph.package(id).name == name)
            .collect();
        matched.extend(&nodes);
        if m.reason.starts_with("outside") {
            continue;
        }
        unreadable = true;
        let declared_in = display_path(lock, &p.lock_dir, &m.declared_in);
        let dir = display_path(lock, &p.lock_dir, &m.dir);
        let what = if m.member {
            "workspace member"
        } else {
            "path dependency"
        };
        r.push(Issue {
            subject: nodes.first().copied(),
            name: &name,
            via: root_node,
            file: declared_in.clone(),
            line: m.line,
            key: format!("missing:{dir}"),
            title: format!("{what} {dir} has no Cargo.toml"),
            message: format!(
                "{declared_in}:{} names the {what} {dir}, which has no Cargo.toml: cargo cannot load the workspace, and what {} records for it cannot be checked.",
                m.line, lock.display
            ),
            fix: FixHint::RestoreMember {
                dir: dir.clone(),
            },
        });
    }

    for wp in &ws.packages {
        let m = &wp.manifest;
        let Some(pk) = &m.package else { continue };
        let file = file_of(m);
        let candidates: Vec<PackageId> = path_nodes
            .iter()
            .copied()
            .filter(|&id| cx.graph.package(id).name == pk.name)
            .collect();
        let node = candidates
            .iter()
            .copied()
            .find(|&id| cx.graph.package(id).version == pk.version)
            .or_else(|| candidates.first().copied());
        let Some(node) = node else {
            r.push(Issue {
                subject: None,
                name: &pk.name,
                via: root_node,
                file: file.clone(),
                line: pk.version_line,
                key: "package".into(),
                title: format!("{} is not in {}", pk.name, lock.display),
                message: format!(
                    "{file} declares the package {} {}, which {} does not record: the lock predates it.",
                    pk.name, pk.version, lock.display
                ),
                fix: update_workspace(true),
            });
            continue;
        };
        matched.insert(node);
        let locked = cx.graph.package(node);
        if let Some(problem) = &pk.problem {
            r.push(Issue {
                subject: Some(node),
                name: &pk.name,
                via: None,
                file: file.clone(),
                line: pk.version_line,
                key: "package.version".into(),
                title: format!("{}: invalid package version", pk.name),
                message: format!(
                    "{file}:{}: {problem}: cargo cannot load the workspace.",
                    pk.version_line
                ),
                fix: FixHint::FixManifest,
            });
        } else if locked.version != pk.version {
            r.push(Issue {
                subject: Some(node),
                name: &pk.name,
                via: None,
                file: file.clone(),
                line: pk.version_line,
                key: "package.version".into(),
                title: format!(
                    "{} is {} in its manifest, {} in {}",
                    pk.name, pk.version, locked.version, lock.display
                ),
                message: format!(
                    "{file}:{} sets the version of {} to {}, but {} records {}: the lock predates the version change, and `cargo build --locked` refuses it.",
                    pk.version_line, pk.name, pk.version, lock.display, locked.version
                ),
                fix: update_workspace(false),
            });
        }
        compare_deps(
            &mut r,
            &file,
            &lock.display,
            m,
            wp.member,
            node,
            &ws.root.patches,
        );
    }

    // Path packages the manifests no longer name.
    if !unreadable {
        for &id in &path_nodes {
            if matched.contains(&id) {
                continue;
            }
            let q = cx.graph.package(id);
            r.push(Issue {
                subject: Some(id),
                name: &q.name,
                via: None,
                file: lock.display.clone(),
                line: q.location.line,
                key: format!("stale:{}", q.display_name()),
                title: format!("{} is in {} but no longer in the workspace", q.display_name(), lock.display),
                message: format!(
                    "{} records the path package {}, but no manifest of the workspace names it any more (neither as a member nor as a path dependency): cargo drops it the next time it writes the lock (`cargo --locked` tolerates the stale entry).",
                    lock.display,
                    q.display_name()
                ),
                fix: update_workspace(false),
            });
        }
    }
}

/// Compares a package's declarations with the dependencies its lock entry lists.
fn compare_deps(
    r: &mut Report<'_, '_>,
    file: &str,
    lock_display: &str,
    m: &Manifest,
    member: bool,
    node: PackageId,
    patches: &[DeclaredDep],
) {
    let graph = r.cx.graph;
    let owner = graph.package(node).name.clone();
    let mut locked: Vec<PackageId> = graph.dependencies(node).map(|(t, _)| t).collect();
    locked.sort_unstable();
    locked.dedup();
    // Non-members' dev-dependencies are never resolved: Cargo ignores them.
    let declared: Vec<&DeclaredDep> = m
        .deps
        .iter()
        .filter(|d| member || d.kind != DepKind::Dev)
        .collect();
    let fix_for = |name: &str| FixHint::UpdateLockfile {
        command: format!("cargo update -p {name}"),
        lockfile: "Cargo.lock".into(),
        any_unlocked_cargo_command: true,
    };
    for d in &declared {
        let req_shown = d.req.as_deref().unwrap_or("*");
        let decl = format!(
            "`{}` ({}) in [{}] of {owner}",
            d.key,
            describe(d),
            d.section
        );
        // A finding at this declaration.
        let at_decl =
            |subject: Option<PackageId>, title: String, message: String, fix: FixHint| Issue {
                subject,
                name: &d.name,
                via: Some(node),
                file: file.to_owned(),
                line: d.line,
                key: format!("{}.{}", d.section, d.key),
                title,
                message,
                fix,
            };
        let req = match d.req.as_deref().map(semver::VersionReq::parse) {
            None => Ok(None),
            Some(Ok(req)) => Ok(Some(req)),
            Some(Err(e)) => Err(format!("`{req_shown}` is not a version requirement ({e})")),
        };
        let req = match (d.problem.clone(), req) {
            (None, Ok(req)) => req,
            (Some(problem), _) | (None, Err(problem)) => {
                r.push(at_decl(
                    None,
                    format!("{owner}: invalid dependency {}", d.key),
                    format!(
                        "{file}:{}: {problem}: cargo cannot load the workspace.",
                        d.line
                    ),
                    FixHint::FixManifest,
                ));
                continue;
            }
        };
        let candidates: Vec<&Package> = locked
            .iter()
            .map(|&id| graph.package(id))
            .filter(|q| q.name == d.name)
            .collect();
        if candidates.is_empty() {
            r.push(at_decl(
                None,
                format!("{} {req_shown} is declared but not locked", d.name),
                format!(
                    "{file}:{} declares {decl}, but {lock_display} records no dependency of {owner} on {}: the lock predates the declaration.",
                    d.line, d.name
                ),
                fix_for(&d.name),
            ));
            continue;
        }
        let version_ok = |q: &Package| {
            req.as_ref()
                .is_none_or(|req| semver::Version::parse(&q.version).is_ok_and(|v| req.matches(&v)))
        };
        let source_ok = |q: &Package| {
            source_matches(&d.source, &q.source)
                || patches
                    .iter()
                    .any(|p| p.name == d.name && source_matches(&p.source, &q.source))
        };
        if candidates.iter().any(|q| version_ok(q) && source_ok(q)) {
            continue;
        }
        let q = candidates
            .iter()
            .find(|q| source_ok(q))
            .or_else(|| candidates.iter().find(|q| version_ok(q)))
            .unwrap_or(&candidates[0]);
        let id = locked
            .iter()
            .copied()
            .find(|&id| std::ptr::eq(graph.package(id), *q));
        let (title, why) = if source_ok(q) {
            (
                format!(
                    "{} {req_shown} not satisfied by locked {}",
                    d.name,
                    q.display_name()
                ),
                format!(
                    "locks {} {}, which does not satisfy `{req_shown}`",
                    q.name, q.version
                ),
            )
        } else {
            (
                format!(
                    "{} is declared from {}, locked from {}",
                    d.name,
                    d.source.kind(),
                    q.source.kind()
                ),
                format!(
                    "locks {} from {}, not from the declared {}",
                    q.display_name(),
                    q.source_raw.as_deref().unwrap_or("a path"),
                    describe(d)
                ),
            )
        };
        r.push(at_decl(
            id,
            title,
            format!(
                "{file}:{} declares {decl}; {lock_display} {why}. `cargo build --locked` refuses this lock.",
                d.line
            ),
            fix_for(&d.name),
        ));
    }
    // Locked dependencies no declaration names any more.
    let names: HashSet<&str> = m.deps.iter().map(|d| d.name.as_str()).collect();
    let owner_line = graph.package(node).location.line;
    for &id in &locked {
        let q = graph.package(id);
        if names.contains(q.name.as_str()) {
            continue;
        }
        r.push(Issue {
            subject: Some(id),
            name: &q.name,
            via: None,
            file: lock_display.to_owned(),
            line: owner_line,
            key: format!("{owner}->{}", q.display_name()),
            title: format!("{} is locked for {owner} but no longer declared", q.display_name()),
            message: format!(
                "{lock_display} records that {owner} depends on {}, but {file} declares no such dependency any more: cargo drops it the next time it writes the lock (`cargo --locked` tolerates the stale entry).",
                q.display_name()
            ),
            fix: update_workspace(true),
        });
    }
}

/// The declared source, for messages.
fn describe(d: &DeclaredDep) -> String {
    let req = d
        .req
        .as_deref()
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    match &d.source {
        DeclaredSource::Registry {
            registry: None,
            index: None,
        } => format!("crates.io{req}"),
        DeclaredSource::Registry {
            registry: Some(n), ..
        } => format!("registry `{n}`{req}"),
        DeclaredSource::Registry { index: Some(i), .. } => format!("registry {i}{req}"),
        DeclaredSource::Git { url, reference } => {
            let r = match reference {
                GitRef::Branch(b) => format!(" branch {b}"),
                GitRef::Tag(t) => format!(" tag {t}"),
                GitRef::Rev(v) => format!(" rev {v}"),
                GitRef::DefaultBranch => String::new(),
            };
            format!("git {url}{r}{req}")
        }
        DeclaredSource::Path { raw, .. } => format!("path {raw}{req}"),
    }
}

/// `true` when the locked source is what the declaration asks for.
fn source_matches(declared: &DeclaredSource, locked: &Source) -> bool {
    match (declared, locked) {
        (DeclaredSource::Path { .. }, Source::Path) => true,
        (DeclaredSource::Git { url, reference }, Source::Git(locked)) => {
            same_git(url, &locked.url) && *reference == locked.reference
        }
        (DeclaredSource::Registry { registry, index }, Source::Registry { url, .. }) => {
            let url = url.as_deref().unwrap_or("");
            match (registry, index) {
                (_, Some(i)) => under_registry(url, i),
                // A named registry's index URL lives in `.cargo/config.toml`: any registry other
                // than crates.io is accepted.
                (Some(_), None) => !is_crates_io(url),
                (None, None) => is_crates_io(url),
            }
        }
        _ => false,
    }
}

fn is_crates_io(url: &str) -> bool {
    under_registry(url, CRATES_IO_GIT) || under_registry(url, CRATES_IO_SPARSE)
}

/// Git URLs compared as Cargo canonicalises them: host case, a trailing `/` or `.git` do not
/// matter, and GitHub paths are case-insensitive.
fn same_git(a: &str, b: &str) -> bool {
    fn canon(u: &str) -> String {
        let u = u.trim().trim_end_matches('/');
        let u = u.strip_suffix(".git").unwrap_or(u);
        let u = u.strip_prefix("git+").unwrap_or(u);
        let lower = u.to_ascii_lowercase();
        if lower.contains("://github.com/") {
            return lower;
        }
        match u.find("://") {
            Some(i) => {
                let rest = &u[i + 3..];
                let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                format!("{}://{}{path}", &lower[..i], host.to_ascii_lowercase())
            }
            None => u.to_owned(),
        }
    }
    canon(a) == canon(b)
}

/// `cargo update --workspace`, then commit Cargo.lock.
fn update_workspace(any_unlocked_cargo_command: bool) -> FixHint {
    FixHint::UpdateLockfile {
        command: "cargo update --workspace".into(),
        lockfile: "Cargo.lock".into(),
        any_unlocked_cargo_command,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_compare_canonically() {
        assert!(same_git(
            "https://github.com/Foo/Bar.git",
            "https://github.com/foo/bar"
        ));
        assert!(same_git("https://Example.com/x/", "https://example.com/x"));
        assert!(!same_git("https://example.com/X", "https://example.com/x"));
    }

    #[test]
    fn registry_sources() {
        let crates = Source::Registry {
            url: Some(CRATES_IO_GIT.into()),
            sparse: false,
        };
        let sparse = Source::Registry {
            url: Some(CRATES_IO_SPARSE.into()),
            sparse: true,
        };
        let corp = Source::Registry {
            url: Some("https://cargo.corp.example/index".into()),
            sparse: true,
        };
        let default = DeclaredSource::Registry {
            registry: None,
            index: None,
        };
        assert!(source_matches(&default, &crates));
        assert!(source_matches(&default, &sparse));
        assert!(!source_matches(&default, &corp));
        let named = DeclaredSource::Registry {
            registry: Some("corp".into()),
            index: None,
        };
        assert!(source_matches(&named, &corp) && !source_matches(&named, &crates));
        assert!(!source_matches(&default, &Source::Path));
    }
}
