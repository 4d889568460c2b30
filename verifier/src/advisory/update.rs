//! `db update`: fetch sources (a directory, an archive URL, a git URL) into a temporary
//! directory beside the database, import them, and atomically replace the index. Any failure
//! (network, size cap, corrupt archive, unparseable advisory) leaves the old index in place.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tollgate_attest::capped::{Capped, CappedError, read_capped};

use super::AdvisoryError;
use super::import::{SourceDir, import_dirs_with};
use super::index::DbMeta;
use super::time;
use crate::time::Timestamp;

/// Default cap on one downloaded archive (512 MiB).
pub const DEFAULT_MAX_ARCHIVE_SIZE: u64 = 512 * 1024 * 1024;
/// Default cap on everything one archive unpacks to (4 GiB; OSV's npm export is far below).
pub const DEFAULT_MAX_UNPACKED_SIZE: u64 = 4 * 1024 * 1024 * 1024;
/// Largest unpacked size per compressed byte accepted: advisory JSON compresses 5–20×; a zip
/// bomb compresses hundreds to millions of times.
pub const MAX_EXPANSION_RATIO: u64 = 100;

/// Bounds on what an archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct ExtractLimits {
    /// Total unpacked bytes.
    pub max_total: u64,
    /// Unpacked bytes of one member (an advisory file is never near this).
    pub max_member: u64,
    /// Unpacked bytes per archive byte.
    pub max_ratio: u64,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            max_total: DEFAULT_MAX_UNPACKED_SIZE,
            max_member: super::import::MAX_ADVISORY_FILE,
            max_ratio: MAX_EXPANSION_RATIO,
        }
    }
}

/// Running total of unpacked bytes, refusing past the limits.
struct Budget {
    limits: ExtractLimits,
    archive_len: u64,
    total: u64,
}

impl Budget {
    fn take(&mut self, what: &str, member: &str, size: u64) -> Result<(), AdvisoryError> {
        if size > self.limits.max_member {
            return Err(fetch_err(
                what,
                format!(
                    "archive member {member} unpacks to {size} bytes, above the {}-byte limit per file",
                    self.limits.max_member
                ),
            ));
        }
        self.total = self.total.saturating_add(size);
        if self.total > self.limits.max_total {
            return Err(fetch_err(
                what,
                format!(
                    "archive unpacks to more than {} bytes (--max-unpacked-size)",
                    self.limits.max_total
                ),
            ));
        }
        if self.total
            > self
                .archive_len
                .max(1)
                .saturating_mul(self.limits.max_ratio)
        {
            return Err(fetch_err(
                what,
                format!(
                    "archive of {} bytes unpacks to more than {}× its size: refused as a decompression bomb",
                    self.archive_len, self.limits.max_ratio
                ),
            ));
        }
        Ok(())
    }
}

/// The upstream RustSec advisory-db (git).
pub const RUSTSEC_GIT: &str = "https://github.com/rustsec/advisory-db.git";
/// OSV's export of every crates.io advisory.
pub const OSV_CRATES_ZIP: &str =
    "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip";
/// OSV's export of every npm advisory (GitHub advisories and others).
pub const OSV_NPM_ZIP: &str = "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip";

/// One source of advisories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local directory.
    Dir(PathBuf),
    /// An archive (`.tar.gz`, `.tgz`, `.zip`) at an http(s) URL or a local path.
    Archive(String),
    /// A git repository, cloned with `git clone --depth 1`.
    Git(String),
}

impl Source {
    /// Classifies a `--source` value: `git+URL` or a URL ending in `.git` is git; another
    /// http(s) URL or a local `.tar.gz`/`.tgz`/`.zip` file is an archive; anything else a
    /// directory.
    pub fn parse(s: &str) -> Source {
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = s.strip_prefix("git+") {
            return Source::Git(rest.to_owned());
        }
        if lower.ends_with(".git") || lower.starts_with("git://") || lower.starts_with("ssh://") {
            return Source::Git(s.to_owned());
        }
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Source::Archive(s.to_owned());
        }
        if [".tar.gz", ".tgz", ".zip"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            return Source::Archive(s.to_owned());
        }
        Source::Dir(PathBuf::from(s))
    }

    /// The source as the user wrote it.
    pub fn display(&self) -> String {
        match self {
            Source::Dir(p) => p.display().to_string(),
            Source::Archive(u) | Source::Git(u) => u.clone(),
        }
    }

    /// A short name: `osv-npm` for `…/npm/all.zip`, else the last path segment without
    /// extension.
    pub fn name(&self) -> String {
        let s = self.display();
        let s = s.trim_end_matches('/');
        let mut segs = s.rsplit(['/', '\\']);
        let last = segs.next().unwrap_or(s);
        if last.eq_ignore_ascii_case("all.zip")
            && let Some(parent) = segs.next()
        {
            let eco = if parent == "crates.io" {
                "crates"
            } else {
                parent
            };
            return format!("osv-{eco}");
        }
        let mut n = last;
        for ext in [".git", ".tar.gz", ".tgz", ".zip"] {
            if let Some(x) = n.strip_suffix(ext) {
                n = x;
            }
        }
        if n.is_empty() {
            "advisories".into()
        } else {
            n.into()
        }
    }
}

/// The default sources of `db update`.
pub fn default_sources() -> Vec<Source> {
    vec![
        Source::Git(RUSTSEC_GIT.into()),
        Source::Archive(OSV_CRATES_ZIP.into()),
        Source::Archive(OSV_NPM_ZIP.into()),
    ]
}

/// Options of an update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Network timeout per request.
    pub timeout: Duration,
    /// Largest archive accepted.
    pub max_archive_size: u64,
    /// The current time (recorded as the build time).
    pub now: Timestamp,
    /// Replace the index even when the new one holds far fewer advisories (see
    /// [`super::SHRINK_PERCENT`]).
    pub allow_shrink: bool,
    /// Bounds on what an archive may unpack to.
    pub extract_limits: ExtractLimits,
    /// Hosts a download may be redirected to besides the one asked (`--redirect-host`); see
    /// [`crate::net`] for the rule every download follows.
    pub redirect_hosts: Vec<String>,
}

/// A fetch error naming its source, redacted (a source URL may carry a token).
fn fetch_err(src: &str, m: impl Into<String>) -> AdvisoryError {
    AdvisoryError::Fetch {
        source_name: crate::redact::redact_url(src),
        message: m.into(),
    }
}

/// Downloads an http(s) URL (or reads a local file), refusing more than `max` bytes. Redirects
/// follow [`crate::net`]'s rule: same host unless `redirect_hosts` lists the target, never
/// https → http.
pub fn download(
    url: &str,
    timeout: Duration,
    max: u64,
    redirect_hosts: &[String],
) -> Result<Vec<u8>, AdvisoryError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        let path = url.strip_prefix("file://").unwrap_or(url);
        let f = std::fs::File::open(path).map_err(|e| fetch_err(url, e.to_string()))?;
        return read_capped(f, max).map_err(|e| fetch_err(url, e.to_string()));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(crate::net::USER_AGENT)
        .redirect(crate::net::reqwest_policy(redirect_hosts.to_vec()))
        .build()
        .map_err(|e| fetch_err(url, e.to_string()))?;
    let resp = client
        .get(url)
        .send()
        .map_err(|e| fetch_err(url, format!("request failed: {}", crate::net::describe(e))))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(fetch_err(url, format!("HTTP {status}")));
    }
    if let Some(len) = resp.content_length()
        && len > max
    {
        return Err(fetch_err(
            url,
            format!("archive is {len} bytes, larger than the {max}-byte limit (--max-size)"),
        ));
    }
    let buf = read_capped(resp, max).map_err(|e| match e {
        CappedError::TooLarge { .. } => fetch_err(
            url,
            format!("archive larger than the {max}-byte limit (--max-size)"),
        ),
        CappedError::Io(e) => fetch_err(url, format!("download failed: {e}")),
    })?;
    Ok(buf)
}

/// Extracts a `.tar.gz` or `.zip` archive (detected by its magic bytes) into `dest` with the
/// default [`ExtractLimits`].
pub fn extract(bytes: &[u8], dest: &Path, what: &str) -> Result<(), AdvisoryError> {
    extract_with(bytes, dest, what, ExtractLimits::default())
}

/// Extracts a `.tar.gz` or `.zip` archive (detected by its magic bytes) into `dest`. Entries
/// that would land outside `dest` are refused, and so is an archive that unpacks past `limits`
/// (checked before each member is written, and while it is read: a lying header gains nothing).
pub fn extract_with(
    bytes: &[u8],
    dest: &Path,
    what: &str,
    limits: ExtractLimits,
) -> Result<(), AdvisoryError> {
    let mut budget = Budget {
        limits,
        archive_len: bytes.len() as u64,
        total: 0,
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::read::GzDecoder::new(bytes);
        let mut ar = tar::Archive::new(gz);
        let entries = ar
            .entries()
            .map_err(|e| fetch_err(what, format!("corrupt tar.gz archive: {e}")))?;
        for entry in entries {
            let mut entry =
                entry.map_err(|e| fetch_err(what, format!("corrupt tar.gz archive: {e}")))?;
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_dir()) {
                continue; // no links, devices, …
            }
            let member = entry
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            // The tar reader copies exactly the header's size: budget it before writing.
            budget.take(what, &member, entry.size())?;
            let ok = entry
                .unpack_in(dest)
                .map_err(|e| fetch_err(what, format!("corrupt tar.gz archive: {e}")))?;
            if !ok {
                return Err(fetch_err(
                    what,
                    "archive entry escapes the target directory",
                ));
            }
        }
        Ok(())
    } else if bytes.starts_with(b"PK") {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| fetch_err(what, format!("corrupt zip archive: {e}")))?;
        for i in 0..z.len() {
            let mut f = z
                .by_index(i)
                .map_err(|e| fetch_err(what, format!("corrupt zip archive: {e}")))?;
            let Some(rel) = f.enclosed_name() else {
                return Err(fetch_err(
                    what,
                    "archive entry escapes the target directory",
                ));
            };
            let out = dest.join(&rel);
            if f.is_dir() {
                std::fs::create_dir_all(&out).map_err(|e| fetch_err(what, e.to_string()))?;
                continue;
            }
            if let Some(p) = out.parent() {
                std::fs::create_dir_all(p).map_err(|e| fetch_err(what, e.to_string()))?;
            }
            let member = rel.display().to_string();
            budget.take(what, &member, f.size())?;
            // The declared size may lie: read at most one byte past the per-member cap.
            let mut buf = Vec::new();
            match Capped::new(&mut f, limits.max_member).read_to_end(&mut buf) {
                // Past the cap: the size check below names the member.
                Ok(()) | Err(CappedError::TooLarge { .. }) => {}
                Err(CappedError::Io(e)) => {
                    return Err(fetch_err(what, format!("corrupt zip archive: {e}")));
                }
            }
            if buf.len() as u64 != f.size() {
                return Err(fetch_err(
                    what,
                    format!(
                        "corrupt zip archive: member {member} holds {} bytes, its header says {}",
                        buf.len(),
                        f.size()
                    ),
                ));
            }
            std::fs::write(&out, buf).map_err(|e| fetch_err(what, e.to_string()))?;
        }
        Ok(())
    } else {
        Err(fetch_err(
            what,
            "not a .tar.gz or .zip archive (unrecognised magic bytes)",
        ))
    }
}

/// A directory holding exactly one directory (GitHub's `repo-main/` wrapper) stands for it.
fn unwrap_single_dir(dir: PathBuf) -> PathBuf {
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return dir;
    };
    let entries: Vec<_> = rd.filter_map(Result::ok).collect();
    if entries.len() == 1 && entries[0].file_type().is_ok_and(|t| t.is_dir()) {
        return entries[0].path();
    }
    dir
}

/// Largest output kept from one `git` run (it prints a commit id or a date).
const GIT_MAX_OUTPUT: u64 = 1 << 20;

/// Runs `git` with `args`; the whole run (with everything it starts) must finish within `timeout`.
fn git(args: &[&str], what: &str, timeout: Duration) -> Result<String, AdvisoryError> {
    let sub = args.first().unwrap_or(&"");
    let mut cmd = Command::new("git");
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1000")
        .env(
            "GIT_HTTP_LOW_SPEED_TIME",
            timeout.as_secs().max(1).to_string(),
        );
    let out = tollgate_attest::process::run(&mut cmd, timeout, GIT_MAX_OUTPUT).map_err(|e| {
        use tollgate_attest::process::RunError;
        match e {
            RunError::TimedOut(_) | RunError::OutputHeldOpen(_) => {
                fetch_err(what, format!("git {sub} {e}"))
            }
            e => fetch_err(what, format!("cannot run git: {e}")),
        }
    })?;
    if !out.status.success() {
        return Err(fetch_err(
            what,
            format!(
                "git {sub} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Brings one source into a directory under `work`.
pub fn materialize(
    src: &Source,
    work: &Path,
    n: usize,
    opts: &UpdateOptions,
) -> Result<SourceDir, AdvisoryError> {
    let name = src.name();
    match src {
        Source::Dir(p) => {
            let mut d = SourceDir::new(p);
            d.name = name;
            Ok(d)
        }
        Source::Archive(url) => {
            let bytes = download(
                url,
                opts.timeout,
                opts.max_archive_size,
                &opts.redirect_hosts,
            )?;
            let dest = work.join(format!("src-{n}"));
            std::fs::create_dir_all(&dest).map_err(|e| fetch_err(url, e.to_string()))?;
            extract_with(&bytes, &dest, url, opts.extract_limits)?;
            Ok(SourceDir {
                path: unwrap_single_dir(dest),
                name,
                location: url.clone(),
                commit: None,
                date: None,
            })
        }
        Source::Git(url) => {
            let dest = work.join(format!("src-{n}"));
            let dest_s = dest.to_string_lossy().into_owned();
            git(
                &["clone", "--depth", "1", "--quiet", "--", url, &dest_s],
                url,
                opts.timeout,
            )?;
            let commit = git(&["-C", &dest_s, "rev-parse", "HEAD"], url, opts.timeout).ok();
            let date = git(
                &["-C", &dest_s, "log", "-1", "--format=%cI"],
                url,
                opts.timeout,
            )
            .ok()
            .and_then(|d| time::parse_timestamp(&d))
            .map(time::format_timestamp);
            Ok(SourceDir {
                path: dest,
                name,
                location: url.clone(),
                commit,
                date,
            })
        }
    }
}

/// Fetches every source and replaces the index at `db_file` atomically. Nothing is replaced
/// unless every source was fetched and imported.
pub fn update(
    sources: &[Source],
    db_file: &Path,
    opts: &UpdateOptions,
) -> Result<DbMeta, AdvisoryError> {
    let parent = db_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| AdvisoryError::Io {
        path: parent.to_path_buf(),
        message: e.to_string(),
    })?;
    let work = tempfile::Builder::new()
        .prefix(".tollgate-update-")
        .tempdir_in(parent)
        .map_err(|e| AdvisoryError::Io {
            path: parent.to_path_buf(),
            message: format!("cannot create a temporary directory: {e}"),
        })?;
    let mut dirs = Vec::new();
    for (n, s) in sources.iter().enumerate() {
        dirs.push(materialize(s, work.path(), n, opts)?);
    }
    import_dirs_with(&dirs, db_file, opts.now, opts.allow_shrink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        assert_eq!(
            Source::parse("https://github.com/rustsec/advisory-db.git"),
            Source::Git("https://github.com/rustsec/advisory-db.git".into())
        );
        assert_eq!(
            Source::parse("git+https://example.com/db"),
            Source::Git("https://example.com/db".into())
        );
        assert!(matches!(Source::parse(OSV_NPM_ZIP), Source::Archive(_)));
        assert!(matches!(Source::parse("x/db.tar.gz"), Source::Archive(_)));
        assert!(matches!(
            Source::parse("../shared/advisories/rustsec"),
            Source::Dir(_)
        ));
        assert_eq!(Source::parse(OSV_NPM_ZIP).name(), "osv-npm");
        assert_eq!(Source::parse(OSV_CRATES_ZIP).name(), "osv-crates");
        assert_eq!(Source::parse(RUSTSEC_GIT).name(), "advisory-db");
    }

    #[test]
    fn rejects_unknown_archive_bytes() {
        let d = tempfile::tempdir().unwrap();
        assert!(extract(b"hello", d.path(), "x").is_err());
        assert!(extract(&[0x1f, 0x8b, 0, 1, 2], d.path(), "x").is_err());
        assert!(extract(b"PK\x03\x04garbage", d.path(), "x").is_err());
    }

    fn tar_gz_of(name: &str, body: &[u8]) -> Vec<u8> {
        let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(enc);
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, body).unwrap();
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn extraction_is_bounded_per_member_in_total_and_by_ratio() {
        let body = vec![b'x'; 4096];
        let ar = tar_gz_of("a.json", &body);
        let limits = |max_total, max_member, max_ratio| ExtractLimits {
            max_total,
            max_member,
            max_ratio,
        };
        let d = tempfile::tempdir().unwrap();
        let e = extract_with(&ar, d.path(), "x", limits(1 << 20, 1000, 1000)).unwrap_err();
        assert!(e.to_string().contains("per file"), "{e}");
        let e = extract_with(&ar, d.path(), "x", limits(1000, 1 << 20, 1000)).unwrap_err();
        assert!(e.to_string().contains("--max-unpacked-size"), "{e}");
        let e = extract_with(&ar, d.path(), "x", limits(1 << 20, 1 << 20, 2)).unwrap_err();
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        // Twin: within every limit it unpacks.
        extract_with(&ar, d.path(), "x", limits(1 << 20, 1 << 20, 1000)).unwrap();
        assert_eq!(std::fs::read(d.path().join("a.json")).unwrap(), body);
    }
}
