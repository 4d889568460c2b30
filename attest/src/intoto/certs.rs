//! in-toto-golang certificate functionaries: a link signed by a key whose X.509 certificate
//! chains to one of the layout's `rootcas` (through its `intermediatecas`) and satisfies one of
//! the step's `cert_constraints`.
//!
//! Constraint semantics are in-toto-golang's (`certconstraint.go`): for each attribute
//! (common name, DNS names, emails, organizations, URIs, roots) the certificate's values must
//! equal the constraint's values as sets; `["*"]` allows anything; an empty constraint (or `""`)
//! requires the certificate to have none. `roots` is compared with the ids of *all* the
//! layout's root CAs, after the chain itself has been verified.
//!
//! Why by hand: the RustCrypto `x509-cert` crate parses certificates but does not build or
//! verify chains. The chain check here covers what this use needs: issuer/subject name
//! chaining, signatures (RSA PKCS#1 v1.5, ECDSA, Ed25519), validity at `now`, and the CA bit of
//! every issuer.

use der::{Decode, DecodePem, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, SubjectAltName};

use super::model::{CertConstraint, Layout, Step};
use crate::keys::{PublicKey, Scheme};

const MAX_CHAIN: usize = 8;

fn parse(pem: &str) -> Result<Certificate, String> {
    Certificate::from_pem(pem.replace("\r\n", "\n").as_bytes())
        .map_err(|e| format!("not a PEM certificate: {e}"))
}

fn spki_key(c: &Certificate) -> Result<PublicKey, String> {
    let der = c
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    PublicKey::from_spki_der(&der).map_err(|e| e.to_string())
}

fn scheme_of(c: &Certificate) -> Result<Scheme, String> {
    Ok(match c.signature_algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1Sha256,
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1Sha384,
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1Sha512,
        "1.2.840.10045.4.3.2" => Scheme::EcdsaSha256,
        "1.2.840.10045.4.3.3" => Scheme::EcdsaSha384,
        "1.2.840.10045.4.3.4" => Scheme::EcdsaSha512,
        "1.3.101.112" => Scheme::Ed25519,
        o => return Err(format!("unsupported certificate signature algorithm {o}")),
    })
}

/// `true` when `issuer` signed `c`.
fn signed_by(c: &Certificate, issuer: &Certificate) -> bool {
    let (Ok(iss), Ok(sub)) = (
        c.tbs_certificate.issuer.to_der(),
        issuer.tbs_certificate.subject.to_der(),
    ) else {
        return false;
    };
    if iss != sub {
        return false;
    }
    let (Ok(scheme), Ok(key), Ok(tbs)) =
        (scheme_of(c), spki_key(issuer), c.tbs_certificate.to_der())
    else {
        return false;
    };
    let Ok(key) = key.with_scheme(scheme) else {
        return false;
    };
    key.verify(&tbs, c.signature.raw_bytes()).is_ok()
}

fn valid_at(c: &Certificate, now: i64) -> bool {
    let v = &c.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs() as i64;
    let na = v.not_after.to_unix_duration().as_secs() as i64;
    nb <= now && now <= na
}

fn is_ca(c: &Certificate) -> bool {
    c.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id.to_string() == "2.5.29.19")
        .any(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|b| b.ca))
}

/// Finds a chain from `leaf` to one of `roots` through `intermediates`.
fn chain(
    leaf: &Certificate,
    roots: &[Certificate],
    intermediates: &[Certificate],
    now: i64,
    depth: usize,
) -> bool {
    if depth > MAX_CHAIN || !valid_at(leaf, now) {
        return false;
    }
    for r in roots {
        if is_ca(r) && valid_at(r, now) && signed_by(leaf, r) {
            return true;
        }
    }
    intermediates.iter().any(|i| {
        is_ca(i)
            && signed_by(leaf, i)
            && i != leaf
            && chain(i, roots, intermediates, now, depth + 1)
    })
}

fn attr_strings(name: &x509_cert::name::Name, oid: &str) -> Vec<String> {
    let mut out = Vec::new();
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid.to_string() == oid {
                out.push(String::from_utf8_lossy(atv.value.value()).into_owned());
            }
        }
    }
    out
}

struct SanValues {
    dns: Vec<String>,
    emails: Vec<String>,
    uris: Vec<String>,
}

fn san(c: &Certificate) -> SanValues {
    let mut s = SanValues {
        dns: vec![],
        emails: vec![],
        uris: vec![],
    };
    for e in c.tbs_certificate.extensions.iter().flatten() {
        if e.extn_id.to_string() != "2.5.29.17" {
            continue;
        }
        if let Ok(names) = SubjectAltName::from_der(e.extn_value.as_bytes()) {
            for n in names.0 {
                match n {
                    GeneralName::DnsName(x) => s.dns.push(x.to_string()),
                    GeneralName::Rfc822Name(x) => s.emails.push(x.to_string()),
                    GeneralName::UniformResourceIdentifier(x) => s.uris.push(x.to_string()),
                    _ => {}
                }
            }
        }
    }
    s
}

/// in-toto-golang `checkCertConstraint`.
fn check_attr(name: &str, constraints: &[String], values: &[String]) -> Result<(), String> {
    if constraints.len() == 1 && constraints[0] == "*" {
        return Ok(());
    }
    let constraints: &[String] = if constraints.len() == 1 && constraints[0].is_empty() {
        &[]
    } else {
        constraints
    };
    let values: &[String] = if values.len() == 1 && values[0].is_empty() {
        &[]
    } else {
        values
    };
    if constraints.is_empty() && !values.is_empty() {
        return Err(format!(
            "not expecting any {name}, but the certificate has {values:?}"
        ));
    }
    let mut unmet: std::collections::BTreeSet<&String> = constraints.iter().collect();
    for v in values {
        if !constraints.contains(v) {
            return Err(format!(
                "the certificate has an unexpected {name} `{v}` (allowed {constraints:?})"
            ));
        }
        unmet.remove(v);
    }
    if !unmet.is_empty() {
        return Err(format!(
            "the certificate's {name} {values:?} do not meet {constraints:?}"
        ));
    }
    Ok(())
}

fn check_constraint(
    cc: &CertConstraint,
    c: &Certificate,
    root_ids: &[String],
) -> Result<(), String> {
    let subj = &c.tbs_certificate.subject;
    let cn = attr_strings(subj, "2.5.4.3")
        .into_iter()
        .next()
        .unwrap_or_default();
    let san = san(c);
    check_attr("common name", std::slice::from_ref(&cc.common_name), &[cn])?;
    check_attr("dns name", &cc.dns_names, &san.dns)?;
    check_attr("email", &cc.emails, &san.emails)?;
    check_attr(
        "organization",
        &cc.organizations,
        &attr_strings(subj, "2.5.4.10"),
    )?;
    check_attr("root", &cc.roots, root_ids)?;
    check_attr("uri", &cc.uris, &san.uris)
}

/// Verifies that `cert_pem` names an authorised functionary of `step` and returns its key.
pub(crate) fn verify_cert_functionary(
    cert_pem: &str,
    step: &Step,
    layout: &Layout,
    now: i64,
) -> Result<PublicKey, String> {
    let cert = parse(cert_pem)?;
    let roots = layout
        .rootcas
        .values()
        .map(|p| parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let inter = layout
        .intermediatecas
        .values()
        .map(|p| parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    if roots.is_empty() {
        return Err("the layout has no root CAs".into());
    }
    if !chain(&cert, &roots, &inter, now, 0) {
        return Err(
            "the certificate does not chain to the layout's root CAs (or is not valid now)".into(),
        );
    }
    let root_ids: Vec<String> = layout.rootcas.keys().cloned().collect();
    let mut errs = Vec::new();
    for cc in &step.cert_constraints {
        match check_constraint(cc, &cert, &root_ids) {
            Ok(()) => return spki_key(&cert),
            Err(e) => errs.push(e),
        }
    }
    Err(format!(
        "no certificate constraint of step `{}` is met: {}",
        step.name,
        errs.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_attr_follows_golang() {
        let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_attr("x", &s(&["*"]), &s(&["a", "b"])).is_ok());
        assert!(check_attr("x", &s(&[""]), &s(&[""])).is_ok());
        assert!(check_attr("x", &s(&[]), &s(&["a"])).is_err());
        assert!(check_attr("x", &s(&["a", "b"]), &s(&["b", "a"])).is_ok());
        assert!(check_attr("x", &s(&["a", "b"]), &s(&["a"])).is_err());
        assert!(check_attr("x", &s(&["a"]), &s(&["a", "c"])).is_err());
    }

    #[test]
    fn accepts_golang_demo_leaf_chain_and_constraints() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/attest-vectors/in-toto/golang-demo");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let leaf = parse(&read("example.com.write-code.cert.pem")).unwrap();
        let root = parse(&read("root.cert.pem")).unwrap();
        let inter = parse(&read("example.com.intermediate.cert.pem")).unwrap();
        let now = crate::time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert!(chain(
            &leaf,
            std::slice::from_ref(&root),
            std::slice::from_ref(&inter),
            now,
            0
        ));
        // Twin: without the intermediate, or after expiry, there is no chain.
        assert!(!chain(&leaf, std::slice::from_ref(&root), &[], now, 0));
        let later = crate::time::parse_rfc3339("2032-01-01T00:00:00Z").unwrap();
        assert!(!chain(
            &leaf,
            std::slice::from_ref(&root),
            std::slice::from_ref(&inter),
            later,
            0
        ));
        let cc = CertConstraint {
            common_name: "write-code.example.com".into(),
            organizations: vec!["example".into()],
            roots: vec!["r".into()],
            uris: vec!["spiffe://example.com/write-code".into()],
            ..Default::default()
        };
        check_constraint(&cc, &leaf, &["r".into()]).unwrap();
        let wrong = CertConstraint {
            common_name: "build.example.com".into(),
            ..cc.clone()
        };
        assert!(check_constraint(&wrong, &leaf, &["r".into()]).is_err());
        let wrong = CertConstraint { uris: vec![], ..cc };
        assert!(check_constraint(&wrong, &leaf, &["r".into()]).is_err());
    }
}
