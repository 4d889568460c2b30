//! `tollgate init`: the commented `tollgate.toml` for a repository, headed by what was found
//! there (the ecosystems and their lockfiles, lockfiles tollgate does not read, a cargo-audit or
//! cargo-deny configuration to convert with `init --from`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::discover;
use crate::error::LoadError;
use crate::package::Ecosystem;
use crate::policy::config::DEFAULT_CONFIG_TEMPLATE;

/// What `init` found in a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detected {
    /// Lockfiles tollgate reads, with their ecosystem, relative to the directory.
    pub lockfiles: Vec<(PathBuf, Ecosystem)>,
    /// Lockfiles of other package managers, with the tool that writes them.
    pub unsupported: Vec<(PathBuf, &'static str)>,
    /// cargo-audit / cargo-deny configurations (`.cargo/audit.toml`, `deny.toml`).
    pub convertible: Vec<PathBuf>,
}

impl Detected {
    /// The ecosystems present, in a stable order.
    pub fn ecosystems(&self) -> Vec<Ecosystem> {
        let mut e: Vec<Ecosystem> = self.lockfiles.iter().map(|(_, e)| *e).collect();
        e.sort_by_key(|e| e.as_str());
        e.dedup();
        e
    }
}

/// Looks at `dir` (the lockfile search `check` does, and the tools' configuration files).
pub fn detect(dir: &Path) -> Result<Detected, LoadError> {
    let found = discover::search(dir, &[])?;
    let rel = |p: &Path| p.strip_prefix(dir).unwrap_or(p).to_path_buf();
    let lockfiles = found
        .lockfiles
        .iter()
        .filter_map(|p| {
            let eco = match p.file_name()?.to_str()? {
                "Cargo.lock" => Ecosystem::Cargo,
                _ => Ecosystem::Npm,
            };
            Some((rel(p), eco))
        })
        .collect();
    let unsupported = found
        .unsupported
        .iter()
        .map(|(p, tool)| (rel(p), *tool))
        .collect();
    let convertible = [
        ".cargo/audit.toml",
        "audit.toml",
        "deny.toml",
        ".cargo/deny.toml",
    ]
    .iter()
    .map(PathBuf::from)
    .filter(|p| dir.join(p).is_file())
    .collect();
    Ok(Detected {
        lockfiles,
        unsupported,
        convertible,
    })
}

/// The `tollgate.toml` text: a header naming what was found, then the commented template.
pub fn template(d: &Detected) -> String {
    let mut s = String::new();
    let names: Vec<&str> = d.ecosystems().iter().map(|e| e.as_str()).collect();
    if names.is_empty() {
        s.push_str("# Found no lockfile here yet (tollgate reads Cargo.lock, package-lock.json and npm-shrinkwrap.json).\n");
    } else {
        let _ = writeln!(
            s,
            "# Found: {} ({} lockfile(s)):",
            names.join(", "),
            d.lockfiles.len()
        );
        for (p, _) in d.lockfiles.iter().take(20) {
            let _ = writeln!(s, "#   {}", p.display());
        }
        if d.lockfiles.len() > 20 {
            let _ = writeln!(s, "#   … and {} more", d.lockfiles.len() - 20);
        }
    }
    for (p, tool) in &d.unsupported {
        let _ = writeln!(
            s,
            "# Not read: {} ({tool} is not supported; the report will say so).",
            p.display()
        );
    }
    for p in &d.convertible {
        let _ = writeln!(
            s,
            "# {} is here: `tollgate init --from {} --force` converts its advisory settings.",
            p.display(),
            p.display()
        );
    }
    s.push('\n');
    s.push_str(DEFAULT_CONFIG_TEMPLATE);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_ecosystems_unsupported_lockfiles_and_tool_configs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("web")).unwrap();
        std::fs::create_dir_all(d.join(".cargo")).unwrap();
        std::fs::write(d.join("Cargo.lock"), "version = 4\n").unwrap();
        std::fs::write(d.join("web/package-lock.json"), "{}").unwrap();
        std::fs::write(d.join("web/yarn.lock"), "").unwrap();
        std::fs::write(d.join(".cargo/audit.toml"), "").unwrap();
        let found = detect(d).unwrap();
        assert_eq!(found.ecosystems(), [Ecosystem::Cargo, Ecosystem::Npm]);
        assert_eq!(found.convertible, [PathBuf::from(".cargo/audit.toml")]);
        let t = template(&found);
        assert!(
            t.starts_with(
                "# Found: cargo, npm (2 lockfile(s)):\n#   Cargo.lock\n#   web/package-lock.json\n"
            ),
            "{t}"
        );
        assert!(t.contains("# Not read: web/yarn.lock"), "{t}");
        assert!(t.contains("tollgate init --from .cargo/audit.toml"), "{t}");
        crate::policy::Config::parse(Path::new("tollgate.toml"), &t).unwrap();
    }

    #[test]
    fn an_empty_directory_gets_the_template() {
        let dir = tempfile::tempdir().unwrap();
        let t = template(&detect(dir.path()).unwrap());
        assert!(t.starts_with("# Found no lockfile"), "{t}");
        assert!(t.ends_with(DEFAULT_CONFIG_TEMPLATE));
    }
}
