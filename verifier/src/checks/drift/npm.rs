//! npm drift: `package.json` of the root project and its workspaces against the lockfile, as
//! `npm ci` judges them.
//!
//! For every manifest: each declared spec (with npm's precedence: a later map replaces an earlier
//! entry of the same name, in the order peer, prod, optional, dev) must be satisfied by the node
//! the lock installs where Node resolves the name from the manifest's folder (arborist's
//! `dep-valid`: ranges by node-semver, aliases by name and range, folders by link target,
//! tarballs, git and remote URLs by source). Peers count only where npm installs them (lock v2+,
//! no `legacy-peer-deps`), optional peers only when present. Then the lock's own record of the
//! manifest (`packages[""]`, `packages["<workspace>"]`: npm copies the dependency maps verbatim)
//! must equal it, and the lock's workspaces must be the project's.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::finding::{Finding, FixHint};
use crate::graph::PackageId;
use crate::lockfile::npm::resolve_with;
use crate::lockfile::npm_manifest::{NpmDecl, NpmSection, is_installed};
use crate::package::Ecosystem;

use super::super::CheckCx;
use super::npm_spec::{Target, classify, dep_valid};
use super::{Issue, Report};
use crate::manifests::NpmProject;
use crate::paths::display_path;

/// Where a dependency resolved in the lock.
#[derive(Debug, Clone)]
struct Found {
    /// The node (absent for a link to a folder the lock has no entry for).
    node: Option<PackageId>,
    /// The folder a link (or an npm v1 `file:` entry) points at.
    link: Option<PathBuf>,
}

/// Why one declared (or recorded) name drifted.
#[derive(Debug, Clone)]
enum Reason {
    /// The installed node does not satisfy the spec.
    Unsatisfied(String),
    /// Nothing is installed where the name resolves.
    Missing,
    /// npm would reject the declaration.
    Rejected(String),
    /// The lock records another spec for the same map.
    Recorded { recorded: String },
    /// The lock records it in another map.
    Moved { recorded: NpmSection },
    /// The lock does not record the declaration.
    NotRecorded,
    /// The lock records a declaration the manifest no longer has.
    Removed { section: NpmSection, spec: String },
}

impl Reason {
    /// `true` when `npm ci` itself refuses the lock.
    fn refused_by_ci(&self) -> bool {
        matches!(
            self,
            Reason::Unsatisfied(_) | Reason::Missing | Reason::Rejected(_)
        )
    }
}

/// Compares one npm project with its lock.
pub(super) fn check(cx: &CheckCx<'_>, p: &NpmProject, out: &mut Vec<Finding>) {
    let graph = cx.graph;
    let Some(lock) = graph.lockfiles.get(p.lockfile as usize) else {
        return;
    };
    let lock_name = lock
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package-lock.json".into());
    let fix = FixHint::UpdateLockfile {
        command: "npm install".into(),
        lockfile: lock_name,
        any_unlocked_cargo_command: false,
    };
    let mut r = Report {
        cx,
        ecosystem: Ecosystem::Npm,
        out,
    };
    let index: HashMap<&str, PackageId> = graph
        .packages()
        .filter(|(_, q)| q.location.lockfile == p.lockfile)
        .filter_map(|(id, q)| q.npm.as_ref().map(|n| (n.path.as_str(), id)))
        .collect();
    let v1 = p.facts.folders.is_empty();
    let root_node = index.get("").copied();
    let lookup = |key: &str| -> Option<Found> {
        if let Some(&id) = index.get(key) {
            let q = graph.package(id);
            // npm v1 records a `file:` folder dependency as an entry whose version is the spec.
            let link = q
                .source_raw
                .as_deref()
                .filter(|_| v1)
                .and_then(|s| s.strip_prefix("file:"))
                .filter(|s| {
                    !matches!(
                        classify(&format!("file:{s}")),
                        super::npm_spec::Spec::Tarball(_)
                    )
                })
                .map(|s| crate::paths::normalize(&p.lock_dir.join(s)));
            return Some(Found {
                node: Some(id),
                link,
            });
        }
        p.facts.links.get(key).map(|t| Found {
            node: index.get(t.as_str()).copied(),
            link: Some(crate::paths::normalize(&p.lock_dir.join(t))),
        })
    };
    let workspace_names: HashSet<&str> = p
        .workspaces
        .iter()
        .filter_map(|(_, pj)| pj.name.as_deref())
        .collect();

    let members =
        std::iter::once(("", &p.root)).chain(p.workspaces.iter().map(|(k, pj)| (k.as_str(), pj)));
    for (key, pj) in members {
        let file = display_path(lock, &p.lock_dir, &pj.path);
        let member_label = if key.is_empty() {
            "the root project".to_owned()
        } else {
            format!("the workspace {key}")
        };
        let member_node = index.get(key).copied();
        let folder = p.facts.folders.get(key);
        let shown_name = pj.name.clone().unwrap_or_else(|| key.to_owned());
        if !v1 && folder.is_none() {
            r.push(Issue {
                subject: None,
                name: &shown_name,
                via: root_node,
                file: file.clone(),
                line: 1,
                key: "workspace".into(),
                title: format!("workspace {key} is not in {}", lock.display),
                message: format!(
                    "{file} is a workspace of the project (matched by `workspaces`), but {} has no entry for {key}: `npm ci` refuses the lock.",
                    lock.display
                ),
                fix: fix.clone(),
            });
            continue;
        }
        if let Some(f) = folder
            && !key.is_empty()
            && f.version != pj.version
        {
            r.push(Issue {
                subject: member_node,
                name: &shown_name,
                via: None,
                file: file.clone(),
                line: pj.version_line.max(1),
                key: "version".into(),
                title: format!(
                    "workspace {shown_name} is {} in its manifest, {} in {}",
                    pj.version.as_deref().unwrap_or("unversioned"),
                    f.version.as_deref().unwrap_or("unversioned"),
                    lock.display
                ),
                message: format!(
                    "{file} sets the version of {shown_name} to {}, but {} records {}: `npm ci` refuses the lock.",
                    pj.version.as_deref().unwrap_or("nothing"),
                    lock.display,
                    f.version.as_deref().unwrap_or("nothing")
                ),
                fix: fix.clone(),
            });
        }
        for (line, problem) in &pj.problems {
            r.push(Issue {
                subject: None,
                name: &shown_name,
                via: member_node,
                file: file.clone(),
                line: *line,
                key: format!("invalid:{line}"),
                title: format!("{file}: invalid dependency"),
                message: format!("{file}:{line}: {problem}: npm refuses the manifest."),
                fix: FixHint::FixManifest,
            });
        }

        let mut reasons: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
        let mut installed: HashMap<String, Option<PackageId>> = HashMap::new();
        // The effective declaration of each name: later maps replace earlier ones.
        let mut effective: Vec<&NpmDecl> = Vec::new();
        for d in &pj.deps {
            if d.section == NpmSection::Peer && (v1 || p.legacy_peer_deps) {
                continue;
            }
            if key.is_empty() && !v1 && workspace_names.contains(d.name.as_str()) {
                continue;
            }
            effective.retain(|e| e.name != d.name);
            effective.push(d);
        }
        let base = pj.path.parent().unwrap_or(&p.lock_dir);
        let mut buf = String::new();
        for d in &effective {
            let found = resolve_with(lookup, key, &d.name, &mut buf);
            let Some(found) = found else {
                if !(d.section == NpmSection::Peer && pj.optional_peers.contains(&d.name)) {
                    reasons
                        .entry(d.name.clone())
                        .or_default()
                        .push(Reason::Missing);
                }
                continue;
            };
            installed.insert(d.name.clone(), found.node);
            let target = match found.node {
                Some(id) => {
                    let q = graph.package(id);
                    Target {
                        name: &q.name,
                        version: &q.version,
                        resolved: if found.link.is_some() && !v1 {
                            None
                        } else {
                            q.source_raw.as_deref()
                        },
                        link: found.link.clone(),
                        lock_dir: &p.lock_dir,
                    }
                }
                None => Target {
                    name: &d.name,
                    version: "",
                    resolved: None,
                    link: found.link.clone(),
                    lock_dir: &p.lock_dir,
                },
            };
            let spec = classify(&d.spec);
            if let Err(why) = dep_valid(&spec, &target, base) {
                let overridden = p
                    .root
                    .overrides
                    .get(&d.name)
                    .is_some_and(|o| dep_valid(&classify(o), &target, base).is_ok());
                if !overridden {
                    let reason = match spec {
                        super::npm_spec::Spec::Invalid(_) => Reason::Rejected(why),
                        _ => Reason::Unsatisfied(why),
                    };
                    reasons.entry(d.name.clone()).or_default().push(reason);
                }
            }
        }
        if let Some(f) = folder {
            for d in &pj.deps {
                if f.deps
                    .iter()
                    .any(|(s, n, v)| *s == d.section && *n == d.name && *v == d.spec)
                {
                    continue;
                }
                let reason = if let Some((_, _, v)) = f
                    .deps
                    .iter()
                    .find(|(s, n, _)| *s == d.section && *n == d.name)
                {
                    Reason::Recorded {
                        recorded: v.clone(),
                    }
                } else if let Some((s, _, _)) = f.deps.iter().find(|(_, n, _)| *n == d.name) {
                    Reason::Moved { recorded: *s }
                } else {
                    Reason::NotRecorded
                };
                reasons.entry(d.name.clone()).or_default().push(reason);
            }
            for (s, n, v) in &f.deps {
                if !pj.deps.iter().any(|d| d.name == *n) {
                    reasons.entry(n.clone()).or_default().push(Reason::Removed {
                        section: *s,
                        spec: v.clone(),
                    });
                    if !installed.contains_key(n) {
                        let found = resolve_with(lookup, key, n, &mut buf);
                        installed.insert(n.clone(), found.and_then(|f| f.node));
                    }
                }
            }
        } else if v1
            && key.is_empty()
            && let Some(root) = root_node
        {
            // npm v1 does not record the root's declarations: top-level packages nothing else
            // requires stand for them. One the manifest no longer declares would be pruned.
            for (t, _) in graph.dependencies(root) {
                let q = graph.package(t);
                let installed_as = q
                    .npm
                    .as_ref()
                    .and_then(|n| n.path.strip_prefix("node_modules/"))
                    .unwrap_or(&q.name)
                    .to_owned();
                if q.npm.as_ref().is_some_and(|n| n.extraneous)
                    || pj.deps.iter().any(|d| d.name == installed_as)
                {
                    continue;
                }
                installed.insert(installed_as.clone(), Some(t));
                reasons
                    .entry(installed_as)
                    .or_default()
                    .push(Reason::Removed {
                        section: NpmSection::Prod,
                        spec: q.version.clone(),
                    });
            }
        }

        for (name, rs) in reasons {
            let decl = effective
                .iter()
                .find(|d| d.name == name)
                .copied()
                .or_else(|| pj.deps.iter().find(|d| d.name == name));
            let subject = installed.get(&name).copied().flatten();
            push_reasons(
                &mut r,
                NameDrift {
                    file: &file,
                    lock_display: &lock.display,
                    member: &member_label,
                    member_node,
                    folder_line: folder.map_or(0, |f| f.line),
                    name: &name,
                    decl,
                    subject,
                    fix: &fix,
                },
                &rs,
            );
        }
    }

    // The lock's workspaces must be the project's.
    if let Some(rootf) = p.facts.folders.get("") {
        let file = display_path(lock, &p.lock_dir, &p.root.path);
        let want: HashSet<&String> = p.root.workspaces.iter().flatten().collect();
        let got: HashSet<&String> = rootf.workspaces.iter().flatten().collect();
        if want != got {
            r.push(Issue {
                subject: root_node,
                name: "",
                via: None,
                file: file.clone(),
                line: 1,
                key: "workspaces".into(),
                title: format!("the workspaces of {file} differ from {}", lock.display),
                message: format!(
                    "{file} declares the workspaces {:?}, {} records {:?}: `npm install` would rewrite the lock.",
                    sorted(&want),
                    lock.display,
                    sorted(&got)
                ),
                fix: fix.clone(),
            });
        }
        let opts = glob::MatchOptions {
            require_literal_separator: true,
            ..glob::MatchOptions::new()
        };
        let patterns: Vec<glob::Pattern> = rootf
            .workspaces
            .iter()
            .flatten()
            .filter(|w| !w.starts_with('!'))
            .filter_map(|w| glob::Pattern::new(w.trim_end_matches('/')).ok())
            .collect();
        let current: HashSet<&str> = p.workspaces.iter().map(|(k, _)| k.as_str()).collect();
        let mut stale: Vec<(&String, u32)> = p
            .facts
            .folders
            .iter()
            .filter(|(k, _)| {
                !k.is_empty()
                    && !is_installed(k)
                    && !current.contains(k.as_str())
                    && patterns.iter().any(|pt| pt.matches_with(k, opts))
            })
            .map(|(k, f)| (k, f.line))
            .collect();
        stale.sort();
        for (k, line) in stale {
            let why = if p.folders_with_manifest.contains(k.as_str()) {
                "the project's `workspaces` no longer match it"
            } else {
                "it has no package.json (npm skips such folders)"
            };
            let node = index.get(k.as_str()).copied();
            let name = node
                .map(|n| graph.package(n).name.clone())
                .unwrap_or_else(|| k.clone());
            r.push(Issue {
                subject: node,
                name: &name,
                via: root_node,
                file: lock.display.clone(),
                line,
                key: format!("stale:{k}"),
                title: format!(
                    "workspace {k} is in {} but no longer in the project",
                    lock.display
                ),
                message: format!(
                    "{} records the workspace {k}, but {why}: npm would drop it from the lock.",
                    lock.display
                ),
                fix: fix.clone(),
            });
        }
    }
}

fn sorted<'a>(s: &HashSet<&'a String>) -> Vec<&'a String> {
    let mut v: Vec<&String> = s.iter().copied().collect();
    v.sort();
    v
}

/// Everything one drifted name of one manifest needs for its finding.
struct NameDrift<'a> {
    file: &'a str,
    lock_display: &'a str,
    member: &'a str,
    member_node: Option<PackageId>,
    folder_line: u32,
    name: &'a str,
    decl: Option<&'a NpmDecl>,
    subject: Option<PackageId>,
    fix: &'a FixHint,
}

/// One finding for all the reasons one name drifted.
fn push_reasons(r: &mut Report<'_, '_>, n: NameDrift<'_>, reasons: &[Reason]) {
    let graph = r.cx.graph;
    let locked = n.subject.map(|id| graph.package(id).display_name());
    let name = n.name;
    let spec = n.decl.map(|d| d.spec.as_str()).unwrap_or("");
    let mut parts: Vec<String> = Vec::new();
    for reason in reasons {
        parts.push(match reason {
            Reason::Unsatisfied(why) => why.clone(),
            Reason::Missing => format!("{} installs nothing where `{name}` resolves", n.lock_display),
            Reason::Rejected(why) => why.clone(),
            Reason::Recorded { recorded } => {
                format!("{} records `{recorded}` for it", n.lock_display)
            }
            Reason::Moved { recorded } => {
                format!("{} records it in {recorded}", n.lock_display)
            }
            Reason::NotRecorded => format!("{} does not record the declaration", n.lock_display),
            Reason::Removed { section, spec } => format!(
                "{} records `\"{name}\": \"{spec}\"` in {section}, which the manifest no longer declares",
                n.lock_display
            ),
        });
    }
    let first = &reasons[0];
    let title = match first {
        Reason::Unsatisfied(_) => match &locked {
            Some(l) => format!("{name} {spec} not satisfied by locked {l}"),
            None => format!("{name} {spec} not satisfied by the lock"),
        },
        Reason::Missing => format!("{name} {spec} is declared but not locked"),
        Reason::Rejected(_) => format!("{name}: npm rejects the spec `{spec}`"),
        Reason::Recorded { recorded } => {
            format!("{name}: package.json declares `{spec}`, the lock records `{recorded}`")
        }
        Reason::Moved { .. } | Reason::NotRecorded => {
            format!("{name} {spec} is declared but not recorded in the lock")
        }
        Reason::Removed { .. } => format!("{name} is recorded in the lock but no longer declared"),
    };
    let verdict = if reasons.iter().any(Reason::refused_by_ci) {
        "`npm ci` refuses this lock."
    } else {
        "`npm install` would rewrite the lock (`npm ci` accepts it while the installed versions satisfy the manifest, but the lock no longer records what the manifest says)."
    };
    let (file, line, what) = match n.decl {
        Some(d) => (
            n.file.to_owned(),
            d.line,
            format!(
                "{}:{} declares `\"{name}\": \"{}\"` in {} of {}",
                n.file, d.line, d.spec, d.section, n.member
            ),
        ),
        None => (
            n.lock_display.to_owned(),
            n.folder_line,
            format!("for {} ({})", n.member, n.file),
        ),
    };
    let key = match n.decl {
        Some(d) => format!("{}.{name}", d.section.key()),
        None => format!("recorded.{name}"),
    };
    r.push(Issue {
        subject: n.subject,
        name,
        via: n.member_node,
        file,
        line,
        key,
        title,
        message: format!("{what}: {}. {verdict}", parts.join("; ")),
        fix: n.fix.clone(),
    });
}
