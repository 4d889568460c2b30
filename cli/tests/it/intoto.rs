//! `tollgate intoto verify` on the shared in-toto vectors (both formats, detected).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{render, render_with, tollgate};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/attest-vectors/in-toto")
}

const NOW: &str = "2026-06-01T00:00:00Z";

fn verify_case(dir: &str, layout: &str, key: &str, extra: &[&str]) -> Output {
    let d = vectors().join(dir);
    tollgate()
        .args(["intoto", "verify", "--now", NOW, "--layout"])
        .arg(d.join(layout))
        .arg("--layout-key")
        .arg(d.join(key))
        .arg("--link-dir")
        .arg(&d)
        .args(extra)
        .output()
        .unwrap()
}

fn snap_text(o: &Output) -> String {
    render_with(o, &[(&vectors(), "[VECTORS]")])
}

#[test]
fn accepts_generated_pass_cases_in_both_formats() {
    if !crate::support::tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    for fmt in ["legacy", "dsse"] {
        let o = verify_case(
            &format!("generated/{fmt}-pass"),
            "root.layout",
            "owner.pub",
            &["--run-inspections"],
        );
        assert_eq!(o.status.code(), Some(0), "{fmt}: {}", render(&o));
        insta::assert_snapshot!(format!("intoto_{fmt}_pass"), snap_text(&o));
    }
}

#[test]
fn rejects_generated_tampered_cases_naming_the_check() {
    if !crate::support::tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    for case in [
        "tampered-product",
        "link-unauthorized-key",
        "link-payload-tampered",
        "layout-payload-tampered",
        "missing-link",
        "expired-layout",
        "threshold-unmet",
        "wrong-layout-key",
        "layout-signed-by-functionary",
    ] {
        for fmt in ["legacy", "dsse"] {
            let o = verify_case(
                &format!("generated/{fmt}-{case}"),
                "root.layout",
                "owner.pub",
                &["--run-inspections"],
            );
            assert_eq!(o.status.code(), Some(1), "{fmt}-{case}: {}", render(&o));
            if fmt == "legacy" {
                insta::assert_snapshot!(format!("intoto_rejects_{case}"), snap_text(&o));
            }
        }
    }
}

#[test]
fn accepts_golang_layouts_with_json_report() {
    if !crate::support::tools::require("tar", &["--version"], "apt-get install tar") {
        return;
    }
    for layout in ["demo.layout", "demo.dsse.layout", "dsse-only.root.layout"] {
        let o = verify_case(
            "golang-demo",
            layout,
            "alice.pub",
            &["--run-inspections", "--format", "json"],
        );
        assert_eq!(o.status.code(), Some(0), "{layout}: {}", render(&o));
        let v = crate::json_doc(
            "intoto-verify.schema.json",
            &o.stdout,
            &[
                "verified",
                "layout",
                "layout_format",
                "layout_keys",
                "expires",
                "steps",
                "inspections",
                "warnings",
                "products",
            ],
        );
        assert_eq!(v["verified"], true);
        assert!(v["steps"].as_array().unwrap().len() >= 2);
    }
}

#[test]
fn rejects_layout_with_inspections_unless_run_inspections() {
    let o = verify_case(
        "python-demo-dsse",
        "root.layout",
        "alice.pub",
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    let v = crate::json_doc(
        "intoto-verify.schema.json",
        &o.stdout,
        &["verified", "file", "check", "error"],
    );
    assert_eq!(v["check"], "inspections-not-run");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--run-inspections"));
}

#[test]
fn rejects_malformed_layout_and_missing_link_dir_with_exit_2() {
    let o = verify_case("golang-demo", "alice.pub", "alice.pub", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
    insta::assert_snapshot!("intoto_malformed_layout", snap_text(&o));
    let o = tollgate()
        .args(["intoto", "verify", "--layout"])
        .arg(vectors().join("golang-demo/demo.layout"))
        .arg("--layout-key")
        .arg(vectors().join("golang-demo/alice.pub"))
        .args(["--link-dir", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
    let o = verify_case(
        "golang-demo",
        "demo.layout",
        "alice.pub",
        &["--now", "soon"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", render(&o));
}

// ---- inspections and their time limit --------------------------------------------------------

/// A layout with no steps and one inspection running `sh -c SCRIPT`, signed by a fresh key, in
/// a temporary directory: `root.layout`, `owner.pub`.
fn inspection_chain(script: &str) -> tempfile::TempDir {
    use tollgate_attest::intoto::{Format, sign_metadata};
    use tollgate_attest::keys::{GenerateAlgorithm, PrivateKey};
    let dir = tempfile::tempdir().unwrap();
    let owner = PrivateKey::generate(GenerateAlgorithm::Ed25519).unwrap();
    let layout = serde_json::json!({
        "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "", "keys": {},
        "steps": [],
        "inspect": [{"_type": "inspection", "name": "bg", "run": ["sh", "-c", script],
                     "expected_materials": [], "expected_products": []}]
    });
    let signed = sign_metadata(&layout, Format::Metablock, &[&owner]).unwrap();
    std::fs::write(
        dir.path().join("root.layout"),
        serde_json::to_vec_pretty(&signed).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("owner.pub"), owner.public_key().to_pem()).unwrap();
    dir
}

fn verify_inspection(dir: &Path, timeout: &str) -> (Output, std::time::Duration) {
    let start = std::time::Instant::now();
    let o = tollgate()
        .args([
            "intoto",
            "verify",
            "--run-inspections",
            "--inspection-timeout",
            timeout,
        ])
        .arg("--layout")
        .arg(dir.join("root.layout"))
        .arg("--layout-key")
        .arg(dir.join("owner.pub"))
        .arg("--link-dir")
        .arg(dir)
        .output()
        .unwrap();
    (o, start.elapsed())
}

#[test]
fn rejects_inspection_whose_background_child_outlives_the_timeout() {
    // The shell exits at once; its background `sleep` keeps stdout open. Before the fix the
    // verifier waited for end of file (30 s here) and then passed.
    let dir = inspection_chain("sleep 30 & echo $! > \"$PIDFILE\"; echo started");
    let pidfile = dir.path().join("sleep.pid");
    let start = std::time::Instant::now();
    let o = tollgate()
        .args([
            "intoto",
            "verify",
            "--run-inspections",
            "--inspection-timeout",
            "2",
        ])
        .arg("--layout")
        .arg(dir.path().join("root.layout"))
        .arg("--layout-key")
        .arg(dir.path().join("owner.pub"))
        .arg("--link-dir")
        .arg(dir.path())
        .env("PIDFILE", &pidfile)
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("inspection `bg`") && err.contains("did not finish within 2s"),
        "{err}"
    );
    // The whole process group was killed: the background sleep is gone (or a zombie waiting
    // for its new parent to reap it) within moments.
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let pid = pid.trim();
    let gone = || {
        std::process::Command::new("ps")
            .args(["-o", "stat=", "-p", pid])
            .output()
            .map(|o| !o.status.success() || o.stdout.trim_ascii().starts_with(b"Z"))
            .unwrap_or(true)
    };
    let mut tries = 0;
    while !gone() && tries < 50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        tries += 1;
    }
    assert!(gone(), "the inspection's background child {pid} survived");
}

#[test]
fn rejects_inspection_that_runs_past_the_timeout() {
    let dir = inspection_chain("sleep 30");
    let (o, took) = verify_inspection(dir.path(), "2");
    assert_eq!(o.status.code(), Some(1), "{}", render(&o));
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");
}

#[test]
fn accepts_quick_inspection_within_the_timeout() {
    let dir = inspection_chain("echo started");
    let (o, _) = verify_inspection(dir.path(), "20");
    assert_eq!(o.status.code(), Some(0), "{}", render(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("inspection bg: ran, rules passed"));
}

// ---- exit codes: could not read (2) versus read and rejected (1) ------------------------------

/// A copy of a generated case directory.
fn copy_case(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(vectors().join("generated").join(case)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    dir
}

fn write_code_link(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("write-code.")
        })
        .unwrap()
}

fn verify_dir(dir: &Path) -> Output {
    tollgate()
        .args(["intoto", "verify", "--now", NOW, "--layout"])
        .arg(dir.join("root.layout"))
        .arg("--layout-key")
        .arg(dir.join("owner.pub"))
        .arg("--link-dir")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn rejects_malformed_link_with_exit_2_naming_file_line_and_column() {
    for fmt in ["legacy", "dsse"] {
        let dir = copy_case(&format!("{fmt}-pass"));
        let link = write_code_link(dir.path());
        let text = std::fs::read_to_string(&link).unwrap();
        // Cut on the first line's end: the JSON ends early, on line 2.
        let cut = text.find('\n').map_or(text.len() / 2, |i| i + 1);
        std::fs::write(&link, &text[..cut]).unwrap();
        let o = verify_dir(dir.path());
        assert_eq!(o.status.code(), Some(2), "{fmt}: {}", render(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        // FILE:LINE:COLUMN: (the Metablock is pretty-printed: its JSON ends on line 2).
        let prefix = format!("error: {}:", link.display());
        let place = err
            .strip_prefix(&prefix)
            .and_then(|r| r.split_once(": malformed link: "))
            .map(|(place, _)| place)
            .unwrap_or_else(|| panic!("{fmt}: {err}"));
        let (line, column) = place.split_once(':').unwrap();
        assert!(
            line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
            "{err}"
        );
        if fmt == "legacy" {
            assert_eq!(place, "2:0", "{err}");
        }
    }
}

#[test]
fn rejects_link_with_bad_signature_with_exit_1() {
    for fmt in ["legacy", "dsse"] {
        let dir = copy_case(&format!("{fmt}-pass"));
        let link = write_code_link(dir.path());
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&link).unwrap()).unwrap();
        let sig = v["signatures"][0]["sig"].as_str().unwrap().to_owned();
        // Another hex digit (Metablock) or base64 character (DSSE): well-formed, wrong.
        let flipped = format!(
            "{}{}",
            if sig.starts_with('0') { '1' } else { '0' },
            &sig[1..]
        );
        v["signatures"][0]["sig"] = flipped.into();
        std::fs::write(&link, serde_json::to_vec(&v).unwrap()).unwrap();
        let o = verify_dir(dir.path());
        assert_eq!(o.status.code(), Some(1), "{fmt}: {}", render(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("threshold"),
            "{fmt}: {}",
            render(&o)
        );
    }
}
