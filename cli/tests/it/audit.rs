//! Receipts: `check --attest-result` (a signed VSA), `check --audit-log` (the hash-chained,
//! signed audit log), `audit verify`, `audit seal`; concurrent and killed appenders; the
//! openssl + jq + sha256sum verification of `docs/guides/audit-log.md`, run as written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{render, tollgate};

const NOW: &str = "2026-03-01T00:00:00Z";

/// Generates NAME.key / NAME.pub in `dir`.
fn key(dir: &Path, name: &str, alg: &str) -> (PathBuf, PathBuf) {
    let out = tollgate()
        .args(["key", "generate", "--algorithm", alg, "--out"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

fn keyid(public: &Path) -> String {
    let out = tollgate()
        .args(["key", "id", "--format", "json"])
        .arg(public)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["keyid"].as_str().unwrap().to_owned()
}

/// `tollgate check PATH --audit-log LOG --key KEY EXTRA…` in `testdata/graph`.
fn check_cmd(path: &str, log: &Path, key: &Path, extra: &[&str]) -> Command {
    let mut c = tollgate();
    c.args(["check", path, "-q", "--now", NOW, "--audit-log"])
        .arg(log)
        .arg("--key")
        .arg(key)
        .args(extra);
    c
}

fn check(path: &str, log: &Path, key: &Path, extra: &[&str]) -> Output {
    check_cmd(path, log, key, extra).output().unwrap()
}

fn verify(log: &Path, keys: &[&Path], extra: &[&str]) -> Output {
    let mut c = tollgate();
    c.args(["audit", "verify"]).arg(log);
    for k in keys {
        c.arg("--key").arg(k);
    }
    c.args(extra).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect()
}

/// A log of `n` records (runs alternating a passing and a failing check).
fn write_log(dir: &Path, n: usize, key: &Path) -> PathBuf {
    let log = dir.join("audit.jsonl");
    for i in 0..n {
        let path = if i % 2 == 0 { "cargo-v4-git" } else { "." };
        let out = check(path, &log, key, &[]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", render(&out));
    }
    log
}

#[test]
fn check_appends_one_record_per_run_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ecdsa-p256");
    let log = dir.path().join("audit.jsonl");
    let out = check("cargo-v4-git", &log, &k, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let out = check(".", &log, &k, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate's exit code: {}",
        render(&out)
    );
    let l = lines(&log);
    assert_eq!(l.len(), 2);
    let r: Vec<serde_json::Value> = l.iter().map(|x| serde_json::from_str(x).unwrap()).collect();
    for (i, rec) in r.iter().enumerate() {
        for f in [
            "seq",
            "prevHash",
            "thisHash",
            "signedAt",
            "kid",
            "signature",
            "verdict",
            "vsaDigest",
            "reportDigest",
            "policyDigest",
            "subjects",
        ] {
            assert!(rec.get(f).is_some(), "no `{f}` in {rec}");
        }
        assert_eq!(rec["seq"], i as u64 + 1);
        assert_eq!(rec["kid"], keyid(&p).as_str());
        assert_eq!(rec["signedAt"], NOW);
    }
    assert_eq!(r[0]["prevHash"], "0".repeat(64));
    assert_eq!(r[1]["prevHash"], r[0]["thisHash"]);
    assert_eq!(r[0]["verdict"], "PASSED");
    assert_eq!(r[1]["verdict"], "FAILED");
    assert_eq!(r[0]["subjects"][0]["name"], "Cargo.lock");
    assert_eq!(
        r[0]["subjects"][0]["digest"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let out = verify(&log, &[&p], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        stdout(&out).contains("2 record(s) verify (1 PASSED, 1 FAILED)"),
        "{}",
        render(&out)
    );
    let out = verify(&log, &[&p], &["--format", "json"]);
    let v = crate::json_doc(
        "audit-verify.schema.json",
        &out.stdout,
        &["verified", "records", "head"],
    );
    assert_eq!(v["verified"], true);
    assert_eq!(v["records"], 2);
    assert_eq!(v["head"], r[1]["thisHash"]);
}

#[test]
fn receipts_need_a_key_and_the_key_needs_a_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let (k, _) = key(dir.path(), "gate", "ed25519");
    let log = dir.path().join("audit.jsonl");
    for (args, want) in [
        (vec!["--audit-log", log.to_str().unwrap()], "need --key"),
        (vec!["--attest-result"], "need --key"),
        (
            vec!["--key", k.to_str().unwrap()],
            "add --attest-result or --audit-log",
        ),
        (vec!["--attest-out", "x.jsonl"], "need --attest-result"),
    ] {
        let out = tollgate()
            .args(["check", "cargo-v4-git", "-q"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        assert!(render(&out).contains(want), "{args:?}: {}", render(&out));
    }
    assert!(!log.exists());
    // A private key that is not one: exit 2 naming the file, before the gate runs.
    let bad = dir.path().join("bad.key");
    std::fs::write(&bad, "not a key").unwrap();
    let out = check("cargo-v4-git", &log, &bad, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        render(&out).contains("bad.key: cannot load the private key"),
        "{}",
        render(&out)
    );
    // `audit verify` of a missing log, with an unreadable key, of a directory or a FIFO: exit 2.
    let (_, p) = key(dir.path(), "v", "ed25519");
    let out = verify(&dir.path().join("missing.jsonl"), &[&p], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let out = verify(&dir.path().join("missing.jsonl"), &[&bad], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let out = verify(dir.path(), &[&p], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("not a regular file"),
        "{}",
        render(&out)
    );
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let out = verify(&fifo, &[&p], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        let out = check("cargo-v4-git", &fifo, &k, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        assert!(
            render(&out).contains("not a regular file"),
            "{}",
            render(&out)
        );
    }
}

/// Every tamper of the issue's list, caught with a precise message (exit 1), each beside the
/// untampered twin that verifies.
#[test]
fn every_tamper_is_detected_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ecdsa-p256");
    let log = write_log(dir.path(), 4, &k);
    let good = lines(&log);
    assert_eq!(verify(&log, &[&p], &[]).status.code(), Some(0));
    let tampered = dir.path().join("tampered.jsonl");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "edited",
            {
                let mut l = good.clone();
                l[2] = l[2].replacen("\"verdict\":\"PASSED\"", "\"verdict\":\"FAILED\"", 1);
                assert_ne!(l[2], good[2]);
                l
            },
            "line 3: thisHash does not match the record (edited)",
        ),
        (
            "deleted",
            {
                let mut l = good.clone();
                l.remove(1);
                l
            },
            "line 2: seq: expected 2, found 3 (record 2 is missing, or records are out of order)",
        ),
        (
            "reordered",
            {
                let mut l = good.clone();
                l.swap(1, 2);
                l
            },
            "line 2: seq: expected 2, found 3",
        ),
        (
            "duplicated",
            {
                let mut l = good.clone();
                l.insert(2, l[1].clone());
                l
            },
            "line 3: seq: expected 3, found 2 (a duplicate of line 2)",
        ),
        (
            "truncated",
            {
                let mut l = good.clone();
                let last = l.pop().unwrap();
                l.push(last[..last.len() / 2].to_owned());
                l
            },
            "line 4: truncated (no final newline)",
        ),
        (
            "relinked",
            {
                // A record edited and its hash recomputed: the signature no longer verifies.
                let mut l = good.clone();
                let mut m: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&l[1]).unwrap();
                m.insert("verdict".into(), "PASSED".into());
                m.remove("thisHash");
                let sig = m.remove("signature").unwrap();
                // JCS of a map whose keys serde_json sorts already (ASCII): its compact form.
                let canon = serde_json::to_string(&m).unwrap();
                let h = sha256_hex(canon.as_bytes());
                m.insert("thisHash".into(), h.into());
                m.insert("signature".into(), sig);
                l[1] = format!("{}\n", serde_json::to_string(&m).unwrap());
                l
            },
            "line 2: the signature does not verify with key id",
        ),
    ];
    for (what, l, want) in cases {
        std::fs::write(&tampered, l.concat()).unwrap();
        let out = verify(&tampered, &[&p], &[]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", render(&out));
        assert!(
            stdout(&out).contains(want),
            "{what}: want `{want}` in {}",
            render(&out)
        );
        let out = verify(&tampered, &[&p], &["--format", "json"]);
        let v = crate::json_doc("audit-verify.schema.json", &out.stdout, &["break"]);
        assert_eq!(v["verified"], false, "{what}");
        assert!(
            v["break"]["message"].as_str().unwrap().contains(want),
            "{what}: {v}"
        );
    }
    // Wrong key.
    let (_, other) = key(dir.path(), "other", "ecdsa-p256");
    let out = verify(&log, &[&other], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "line 1: signed by key id {}, which is none of the given keys",
            keyid(&p)
        )),
        "{}",
        render(&out)
    );
}

fn sha256_hex(b: &[u8]) -> String {
    use std::io::Write;
    let mut c = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(b).unwrap();
    let out = c.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn a_rotated_key_verifies_only_with_the_old_public_key_too() {
    let dir = tempfile::tempdir().unwrap();
    let (old, old_pub) = key(dir.path(), "old", "ecdsa-p256");
    let (new, new_pub) = key(dir.path(), "new", "ed25519");
    let log = write_log(dir.path(), 2, &old);
    let out = check("cargo-v4-git", &log, &new, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let out = verify(&log, &[&new_pub, &old_pub], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(stdout(&out).contains(&keyid(&old_pub)) && stdout(&out).contains(&keyid(&new_pub)));
    let out = verify(&log, &[&new_pub], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("line 1: signed by key id") && stdout(&out).contains("rotated key"),
        "{}",
        render(&out)
    );
}

#[test]
fn an_append_after_a_torn_line_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ed25519");
    let log = write_log(dir.path(), 2, &k);
    let whole = std::fs::read(&log).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(&whole[..whole.len() / 3]);
    std::fs::write(&log, &torn).unwrap();
    let out = check("cargo-v4-git", &log, &k, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        render(&out).contains("line 3 is truncated (no final newline); nothing was appended"),
        "{}",
        render(&out)
    );
    assert_eq!(std::fs::read(&log).unwrap(), torn, "the log is unchanged");
    let out = verify(&log, &[&p], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("line 3: truncated"),
        "{}",
        render(&out)
    );
    // Twin: with the torn line removed, appends continue the chain.
    std::fs::write(&log, &whole).unwrap();
    assert_eq!(check("cargo-v4-git", &log, &k, &[]).status.code(), Some(0));
    assert_eq!(verify(&log, &[&p], &[]).status.code(), Some(0));
}

#[test]
fn eight_concurrent_runs_never_interleave_or_fork_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ed25519");
    let log = dir.path().join("audit.jsonl");
    for round in 0..2 {
        let children: Vec<_> = (0..8)
            .map(|i| {
                let path = if i % 2 == 0 { "cargo-v4-git" } else { "." };
                check_cmd(path, &log, &k, &[]).spawn().unwrap()
            })
            .collect();
        for mut c in children {
            let s = c.wait().unwrap();
            assert!(matches!(s.code(), Some(0 | 1)), "round {round}: {s:?}");
        }
    }
    let l = lines(&log);
    assert_eq!(l.len(), 16);
    let out = verify(&log, &[&p], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        stdout(&out).contains("16 record(s) verify (8 PASSED, 8 FAILED)"),
        "{}",
        render(&out)
    );
}

/// Appenders killed with SIGKILL at various moments (some while they hold the lock or write):
/// the others finish (the kernel releases a dead holder's lock), and the chain holds every record
/// of every run that finished; a killed run's record is complete or absent, or it is the torn last
/// line, which `audit verify` names and the next append refuses.
#[cfg(unix)]
#[test]
fn killed_appenders_lose_at_most_their_own_record() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ed25519");
    let log = dir.path().join("audit.jsonl");
    let (mut finished, mut killed) = (0, 0);
    for round in 0..4u64 {
        let mut children: Vec<_> = (0..8)
            .map(|_| check_cmd("cargo-v4-git", &log, &k, &[]).spawn().unwrap())
            .collect();
        // Kill every other child, spread over a run's length (about 20 ms here): before, during
        // and after its append, while the others queue on the lock.
        for (i, c) in children.iter_mut().enumerate().filter(|(i, _)| i % 2 == 0) {
            std::thread::sleep(std::time::Duration::from_micros(1000 * (i as u64 + round)));
            let _ = c.kill();
        }
        for mut c in children {
            match c.wait().unwrap().code() {
                Some(0) => finished += 1,
                None => killed += 1,
                other => panic!("a check ended with {other:?}"),
            }
        }
    }
    eprintln!("{finished} runs finished, {killed} were killed");
    let out = verify(&log, &[&p], &[]);
    let text = stdout(&out);
    if out.status.code() == Some(1) {
        // Only a torn last line is acceptable; it is a killed run's own record.
        assert!(
            text.contains("truncated (no final newline)"),
            "{}",
            render(&out)
        );
        let bytes = std::fs::read(&log).unwrap();
        let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let out = check("cargo-v4-git", &log, &k, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        std::fs::write(&log, &bytes[..cut]).unwrap();
    }
    let out = verify(&log, &[&p], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let records = lines(&log).len();
    assert!(
        records >= finished,
        "{records} records, {finished} runs finished"
    );
    assert!(records <= 32);
}

#[test]
fn the_vsa_of_check_verifies_with_attest_verify_vsa() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ecdsa-p256");
    let kid = keyid(&p);
    let vsa = dir.path().join("pass.vsa.jsonl");
    let log = dir.path().join("audit.jsonl");
    let out = check(
        "cargo-v4-git",
        &log,
        &k,
        &["--attest-result", "--attest-out", vsa.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let verify_vsa = |file: &Path, public: &Path, kid: &str, uri: &str| {
        tollgate()
            .args(["attest", "verify-vsa", "--attestation"])
            .arg(file)
            .arg("--public-key")
            .arg(public)
            .args(["--public-key-id", kid, "--resource-uri", uri])
            .output()
            .unwrap()
    };
    let out = verify_vsa(&vsa, &p, &kid, "file:cargo-v4-git");
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    // The envelope's statement: subjects, policy digest, verdict, verifier; and the record's
    // vsaDigest is the digest of that payload.
    let env: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&vsa).unwrap()).unwrap();
    let payload = base64_decode(env["payload"].as_str().unwrap());
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(st["subject"][0]["name"], "Cargo.lock");
    let pred = &st["predicate"];
    assert_eq!(pred["verificationResult"], "PASSED");
    assert_eq!(
        pred["verifier"]["id"],
        "https://tollgate.dev/verifier/check/v1"
    );
    assert_eq!(
        pred["verifier"]["version"]["tollgate"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(pred["timeVerified"], NOW);
    assert_eq!(
        pred["policy"]["digest"]["sha256"].as_str().unwrap().len(),
        64
    );
    assert_eq!(pred["tollgate"]["keyid"], kid.as_str());
    assert!(
        pred["tollgate"]["advisoryDatabase"]
            .as_str()
            .unwrap()
            .starts_with("embedded@")
    );
    let rec: serde_json::Value = serde_json::from_str(&lines(&log)[0]).unwrap();
    assert_eq!(rec["vsaDigest"]["sha256"], sha256_hex(&payload).as_str());
    assert_eq!(
        rec["reportDigest"]["sha256"],
        pred["tollgate"]["reportDigest"]["sha256"]
    );
    assert_eq!(
        rec["policyDigest"]["sha256"],
        pred["policy"]["digest"]["sha256"]
    );
    // Negative twins: a FAILED run's VSA, another key, another resource.
    let failed = dir.path().join("fail.vsa.jsonl");
    let out = check(
        ".",
        &log,
        &k,
        &["--attest-result", "--attest-out", failed.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = verify_vsa(&failed, &p, &kid, "file:.");
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(render(&out).contains("FAILED"), "{}", render(&out));
    let (_, other) = key(dir.path(), "other", "ecdsa-p256");
    let out = verify_vsa(&vsa, &other, &keyid(&other), "file:cargo-v4-git");
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let out = verify_vsa(&vsa, &p, &kid, "file:elsewhere");
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    // The default file: beside --output.
    let report = dir.path().join("report.json");
    let out = tollgate()
        .args([
            "check",
            "cargo-v4-git",
            "-q",
            "--now",
            NOW,
            "--format",
            "json",
            "--attest-result",
            "--key",
        ])
        .arg(&k)
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(dir.path().join("tollgate.vsa.intoto.jsonl").exists());
}

fn base64_decode(s: &str) -> Vec<u8> {
    use std::io::Write;
    let mut c = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    c.wait_with_output().unwrap().stdout
}

#[test]
fn a_checkpoint_pins_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ed25519");
    let log = write_log(dir.path(), 3, &k);
    let cp = dir.path().join("audit.checkpoint");
    let out = tollgate()
        .args(["audit", "seal"])
        .arg(&log)
        .arg("--key")
        .arg(&k)
        .args(["--now", NOW, "--out"])
        .arg(&cp)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let note = std::fs::read_to_string(&cp).unwrap();
    let head: serde_json::Value = serde_json::from_str(&lines(&log)[2]).unwrap();
    let mut it = note.lines();
    assert_eq!(it.next(), Some("tollgate.dev/audit"));
    assert_eq!(it.next(), Some("3"));
    assert_eq!(base64_decode(it.next().unwrap()).len(), 32);
    assert_eq!(it.next(), Some("time 2026-03-01T00:00:00Z"));
    assert_eq!(it.next(), Some(""));
    assert!(
        it.next()
            .unwrap()
            .starts_with("\u{2014} tollgate.dev/audit ")
    );
    let cp_arg = ["--checkpoint", cp.to_str().unwrap()];
    let out = verify(&log, &[&p], &cp_arg);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(stdout(&out).contains("extends the checkpoint of 3 record(s)"));
    // The log grows: it still extends the checkpoint.
    check("cargo-v4-git", &log, &k, &[]);
    assert_eq!(verify(&log, &[&p], &cp_arg).status.code(), Some(0));
    let good = lines(&log);
    // Cut back to 2 records (a clean cut: the chain alone cannot tell).
    std::fs::write(&log, good[..2].concat()).unwrap();
    assert_eq!(verify(&log, &[&p], &[]).status.code(), Some(0));
    let out = verify(&log, &[&p], &cp_arg);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("the checkpoint pins 3 records, the log has 2 (records were removed)"),
        "{}",
        render(&out)
    );
    // Rewritten from record 3 on with the right key: the chain verifies, the checkpoint does not.
    std::fs::write(&log, good[..2].concat()).unwrap();
    check(".", &log, &k, &["--resource-uri", "file:rewritten"]);
    assert_eq!(verify(&log, &[&p], &[]).status.code(), Some(0));
    let out = verify(&log, &[&p], &cp_arg);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "line 3: the checkpoint pins record 3 with hash {}",
            head["thisHash"].as_str().unwrap()
        )),
        "{}",
        render(&out)
    );
    // A checkpoint signed by another key, or edited: not verified (exit 1).
    let (k2, p2) = key(dir.path(), "other", "ecdsa-p256");
    let out = verify(&log, &[&p2], &cp_arg);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("no signature by one of the given keys"),
        "{}",
        render(&out)
    );
    std::fs::write(&cp, note.replacen("\n3\n", "\n2\n", 1)).unwrap();
    let out = verify(&log, &[&p], &cp_arg);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("does not verify"), "{}", render(&out));
    // Seal refuses a broken log, and an RSA-free P-256 seal works too.
    std::fs::write(&log, good[1..].concat()).unwrap();
    let out = tollgate()
        .args(["audit", "seal"])
        .arg(&log)
        .arg("--key")
        .arg(&k)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        render(&out).contains("not sealed: line 1: seq"),
        "{}",
        render(&out)
    );
    let log2 = dir.path().join("p256.jsonl");
    check("cargo-v4-git", &log2, &k2, &[]);
    let out = tollgate()
        .args(["audit", "seal"])
        .arg(&log2)
        .arg("--key")
        .arg(&k2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    std::fs::write(&cp, &out.stdout).unwrap();
    assert_eq!(verify(&log2, &[&p2], &cp_arg).status.code(), Some(0));
}

/// The shell blocks of `docs/guides/audit-log.md`, in order.
fn doc_blocks() -> Vec<String> {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/guides/audit-log.md"),
    )
    .unwrap();
    let section = doc.split("## Verifying without tollgate").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    section
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_owned())
        .collect()
}

fn run_sh(dir: &Path, script: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// An auditor's verification with openssl, jq and sha256sum only: the guide's two blocks, run as
/// written, on a log `tollgate check` wrote; and their negative twins.
#[test]
fn the_guides_openssl_jq_sha256sum_steps_verify_a_receipt_and_the_chain() {
    use crate::support::tools::require;
    if !require("jq", &["--version"], "apt-get install jq")
        || !require("openssl", &["version"], "apt-get install openssl")
        || !require("sha256sum", &["--version"], "apt-get install coreutils")
    {
        return;
    }
    let blocks = doc_blocks();
    assert_eq!(blocks.len(), 2, "one receipt, the whole chain");
    let dir = tempfile::tempdir().unwrap();
    let (k, p) = key(dir.path(), "gate", "ecdsa-p256");
    std::fs::rename(&p, dir.path().join("gate.pub")).unwrap();
    let log = write_log(dir.path(), 3, &k);
    assert_eq!(log, dir.path().join("audit.jsonl"));
    let rec: serde_json::Value = serde_json::from_str(&lines(&log)[1]).unwrap();

    // One receipt: the hash printed twice, and "Verified OK".
    let out = run_sh(dir.path(), &format!("set -e\n{}", blocks[0]));
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let text = stdout(&out);
    let hash = rec["thisHash"].as_str().unwrap();
    assert_eq!(text.matches(hash).count(), 2, "{text}");
    assert!(text.contains("Verified OK"), "{text}");
    // The canonical bytes jq wrote are the bytes tollgate signed: openssl verified them above;
    // their twin, an edited receipt, fails.
    let mut l = lines(&log);
    l[1] = l[1].replacen("\"command\":\"check\"", "\"command\":\"chEck\"", 1);
    std::fs::write(&log, l.concat()).unwrap();
    let out = run_sh(dir.path(), &format!("set -e\n{}", blocks[0]));
    assert_ne!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        stdout(&out).contains("Verification failure"),
        "{}",
        render(&out)
    );

    // The whole chain.
    let good = lines(&write_log_fresh(dir.path(), &k));
    std::fs::write(&log, good.concat()).unwrap();
    let out = run_sh(dir.path(), &blocks[1]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let head: serde_json::Value = serde_json::from_str(good.last().unwrap()).unwrap();
    assert!(
        stdout(&out).contains(&format!(
            "3 records verify; head {}",
            head["thisHash"].as_str().unwrap()
        )),
        "{}",
        render(&out)
    );
    for (what, l, want) in [
        (
            "edited",
            {
                let mut l = good.clone();
                l[2] = l[2].replacen("\"seq\":3", "\"seq\":33", 1);
                l
            },
            "line 3: thisHash does not match",
        ),
        (
            "reordered",
            {
                let mut l = good.clone();
                l.swap(0, 1);
                l
            },
            "line 1: seq is not 1",
        ),
        (
            "relinked",
            {
                let mut l = good.clone();
                l.remove(0);
                l
            },
            "line 1: seq is not 1",
        ),
        (
            "truncated",
            {
                let mut l = good.clone();
                let x = l.pop().unwrap();
                l.push(x[..10].to_owned());
                l
            },
            "the last line is truncated",
        ),
    ] {
        std::fs::write(&log, l.concat()).unwrap();
        let out = run_sh(dir.path(), &blocks[1]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", render(&out));
        assert!(stdout(&out).contains(want), "{what}: {}", render(&out));
    }
    // A signature by another key under the right links: "bad signature".
    let (k2, _) = key(dir.path(), "other", "ecdsa-p256");
    let other = lines(&write_log_fresh(dir.path(), &k2));
    std::fs::write(&log, other.concat()).unwrap();
    let out = run_sh(dir.path(), &blocks[1]);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        stdout(&out).contains("line 1: bad signature"),
        "{}",
        render(&out)
    );
}

/// A fresh 3-record log in `dir/fresh/audit.jsonl`.
fn write_log_fresh(dir: &Path, k: &Path) -> PathBuf {
    let d = dir.join("fresh");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir(&d).unwrap();
    write_log(&d, 3, k)
}
