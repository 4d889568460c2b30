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
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
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
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
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
