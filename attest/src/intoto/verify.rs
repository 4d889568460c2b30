//! The verification pipeline (see the module docs of [`crate::intoto`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::metadata::{Metadata, MetadataError};
use super::model::{Layout, Link, Step};
use super::rules::{ArtifactKind, verify_item_rules};
use super::{IntotoError, IntotoReport, StepReport, VerifyOptions, certs, inspect};
use crate::keys::PublicKey;
use crate::time::{format_rfc3339, parse_rfc3339};
use crate::verified::Verified;

/// Deepest sublayout nesting followed.
const MAX_DEPTH: usize = 8;

/// Verifies the layout at `layout_path`, signed by every key of `layout_keys`, against the links
/// in `link_dir`.
pub fn verify_layout_file(
    layout_path: &Path,
    layout_keys: &[PublicKey],
    link_dir: &Path,
    opts: &VerifyOptions,
) -> Result<Verified<IntotoReport>, IntotoError> {
    let md = read_metadata(layout_path).map_err(|e| IntotoError::Malformed {
        path: layout_path.to_owned(),
        what: "layout",
        reason: e.reason,
        place: e.place,
    })?;
    let md = md?;
    verify_metadata(&md, layout_path, layout_keys, link_dir, opts, "", 0)
        .map(|(r, _)| Verified::new(r))
}

/// Reads a metadata file: `Err(..)` when malformed, `Ok(Err(..))` when unreadable.
fn read_metadata(path: &Path) -> Result<Result<Metadata, IntotoError>, MetadataError> {
    let bytes = match read_capped(path) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    Metadata::parse(&bytes).map(Ok)
}

fn read_capped(path: &Path) -> Result<Vec<u8>, IntotoError> {
    let err = |reason: String| IntotoError::Read {
        path: path.to_owned(),
        reason,
    };
    let f = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    // `TooLarge` reads "larger than the N-byte limit", `Io` the I/O error.
    crate::capped::read_capped(f, super::metadata::MAX_METADATA_SIZE as u64)
        .map_err(|e| err(e.to_string()))
}

/// Reads a link file: unreadable and malformed files are input errors.
fn read_link(path: &Path) -> Result<Metadata, IntotoError> {
    match read_metadata(path) {
        Ok(r) => r,
        Err(e) => Err(IntotoError::Malformed {
            path: path.to_owned(),
            what: "link",
            reason: e.reason,
            place: e.place,
        }),
    }
}

fn prefix8(keyid: &str) -> &str {
    keyid.get(..8).unwrap_or(keyid)
}

/// A link file found for a step, not yet verified.
struct Candidate {
    file: String,
    keyid: String,
    md: Metadata,
}

fn verify_metadata(
    md: &Metadata,
    layout_path: &Path,
    layout_keys: &[PublicKey],
    link_dir: &Path,
    opts: &VerifyOptions,
    step_name: &str,
    depth: usize,
) -> Result<(IntotoReport, Link), IntotoError> {
    if layout_keys.is_empty() {
        return Err(IntotoError::NoLayoutKeys);
    }
    let malformed = |field: &str, reason: String| IntotoError::Malformed {
        path: layout_path.to_owned(),
        what: "layout",
        reason,
        place: md.place_of_signed(field),
    };
    // 1. Every layout key must have signed.
    let mut value: Option<Verified<Value>> = None;
    for k in layout_keys {
        let v = md
            .verify(k)
            .map_err(|reason| IntotoError::LayoutSignature {
                path: layout_path.to_owned(),
                keyid: k.keyid(),
                // The key is named by the error already.
                reason: reason
                    .split_once(": ")
                    .filter(|(a, _)| a.starts_with("no valid signature by key"))
                    .map_or(reason.clone(), |(_, r)| r.to_owned()),
            })?;
        value.get_or_insert(v);
    }
    let value = value.ok_or(IntotoError::NoLayoutKeys)?;
    let layout = Layout::from_value(&value).map_err(|e| malformed(&e.field, e.to_string()))?;

    // 2. Expiry.
    let expires = parse_rfc3339(&layout.expires).ok_or_else(|| {
        malformed(
            "expires",
            format!("expires: `{}` is not an RFC 3339 date", layout.expires),
        )
    })?;
    if expires <= opts.now {
        return Err(IntotoError::Expired {
            expires: layout.expires.clone(),
            now: format_rfc3339(opts.now),
        });
    }

    let mut report = IntotoReport {
        layout_format: md.format().to_string(),
        layout_keys: layout_keys.iter().map(PublicKey::keyid).collect(),
        expires: layout.expires.clone(),
        steps: Vec::new(),
        inspections: Vec::new(),
        warnings: Vec::new(),
        products: Default::default(),
    };

    // 3–7. Links per step.
    let listing = list_link_dir(link_dir);
    let mut reduced: BTreeMap<String, Link> = BTreeMap::new();
    for step in &layout.steps {
        let (link, step_report) = verify_step(
            step,
            &layout,
            link_dir,
            &listing,
            opts,
            depth,
            &mut report.warnings,
        )?;
        reduced.insert(step.name.clone(), link);
        report.steps.push(step_report);
    }

    // 8. Rules of the steps.
    for step in &layout.steps {
        for (kind, rules) in [
            (ArtifactKind::Materials, &step.expected_materials),
            (ArtifactKind::Products, &step.expected_products),
        ] {
            verify_item_rules(&step.name, kind, rules, &reduced).map_err(|failure| {
                IntotoError::Rule {
                    item_kind: "step",
                    item: step.name.clone(),
                    failure,
                }
            })?;
        }
    }

    // Inspections.
    if !layout.inspect.is_empty() {
        if !opts.run_inspections {
            return Err(IntotoError::InspectionsNotRun {
                names: layout.inspect.iter().map(|i| i.name.clone()).collect(),
            });
        }
        let mut links = reduced.clone();
        let scratch =
            inspect::Scratch::new(link_dir, opts.max_inspection_copy).map_err(|reason| {
                IntotoError::Inspection {
                    name: layout.inspect[0].name.clone(),
                    reason,
                }
            })?;
        for insp in &layout.inspect {
            let link = scratch
                .run(insp, opts.inspection_timeout)
                .map_err(|reason| IntotoError::Inspection {
                    name: insp.name.clone(),
                    reason,
                })?;
            links.insert(insp.name.clone(), link);
            report.inspections.push(insp.name.clone());
        }
        for insp in &layout.inspect {
            for (kind, rules) in [
                (ArtifactKind::Materials, &insp.expected_materials),
                (ArtifactKind::Products, &insp.expected_products),
            ] {
                verify_item_rules(&insp.name, kind, rules, &links).map_err(|failure| {
                    IntotoError::Rule {
                        item_kind: "inspection",
                        item: insp.name.clone(),
                        failure,
                    }
                })?;
            }
        }
    }

    // Summary link: materials of the first step, products of the last.
    let mut summary = Link {
        name: step_name.to_owned(),
        materials: Default::default(),
        products: Default::default(),
        command: Vec::new(),
        byproducts: Value::Null,
    };
    if let (Some(first), Some(last)) = (layout.steps.first(), layout.steps.last()) {
        if let Some(l) = reduced.get(&first.name) {
            summary.materials = l.materials.clone();
        }
        if let Some(l) = reduced.get(&last.name) {
            summary.products = l.products.clone();
            summary.command = l.command.clone();
            summary.byproducts = l.byproducts.clone();
        }
    }
    report.products = summary.products.clone();
    Ok((report, summary))
}

/// File names in the link directory (empty when it cannot be listed; missing links are then
/// reported per step).
fn list_link_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn verify_step(
    step: &Step,
    layout: &Layout,
    link_dir: &Path,
    listing: &[String],
    opts: &VerifyOptions,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<(Link, StepReport), IntotoError> {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    let mut loaded_files: Vec<String> = Vec::new();
    let mut pubkeys: Vec<&String> = Vec::new();
    for k in &step.pubkeys {
        if !pubkeys.contains(&k) {
            pubkeys.push(k);
        }
    }
    for keyid in &pubkeys {
        let file = format!("{}.{}.link", step.name, prefix8(keyid));
        let path = link_dir.join(&file);
        if !path.is_file() {
            continue;
        }
        // A link that cannot be read or parsed is an input error, not a missing signature.
        let md = read_link(&path)?;
        loaded_files.push(file.clone());
        candidates.push(Candidate {
            file,
            keyid: (*keyid).clone(),
            md,
        });
    }
    // Links signed by certificates (in-toto-golang): any other `<step>.*.link`.
    let prefix = format!("{}.", step.name);
    let others: Vec<&String> = listing
        .iter()
        .filter(|n| {
            n.len() > prefix.len() + 5
                && n.starts_with(&prefix)
                && n.ends_with(".link")
                && !loaded_files.contains(n)
        })
        .filter(|n| !n[prefix.len()..n.len() - 5].contains('.'))
        .collect();
    let mut cert_candidates = Vec::new();
    if !step.cert_constraints.is_empty() {
        for n in &others {
            let path = link_dir.join(n.as_str());
            if path.is_file() {
                let md = read_link(&path)?;
                let short = &n[prefix.len()..n.len() - 5];
                for (keyid, cert) in md.certs_for(short) {
                    cert_candidates.push((n.to_string(), keyid, cert, md.clone()));
                }
            }
        }
    }
    if candidates.len() + cert_candidates.len() < step.threshold && details.is_empty() {
        return Err(IntotoError::MissingLinks {
            step: step.name.clone(),
            threshold: step.threshold,
            found: candidates.len() + cert_candidates.len(),
            unauthorized: others.iter().map(|s| s.to_string()).collect(),
        });
    }

    // Signatures, counted once per distinct key.
    // (file, keyid, key, signed value, the metadata it came from)
    let mut verified: Vec<(String, String, PublicKey, Value, &Metadata)> = Vec::new();
    for c in &candidates {
        let Some(key) = layout.keys.get(&c.keyid) else {
            details.push(format!(
                "{}: key {} is authorised but not in the layout's keys",
                c.file,
                prefix8(&c.keyid)
            ));
            continue;
        };
        match c.md.verify(&key.key) {
            Ok(v) => verified.push((
                c.file.clone(),
                c.keyid.clone(),
                key.key.clone(),
                v.into_inner(),
                &c.md,
            )),
            Err(e) => details.push(format!("{}: signature: {e}", c.file)),
        }
    }
    for (file, keyid, cert, md) in &cert_candidates {
        match certs::verify_cert_functionary(cert, step, layout, opts.now) {
            Ok(key) => match md.verify(&key) {
                Ok(v) => verified.push((file.clone(), keyid.clone(), key, v.into_inner(), md)),
                Err(e) => details.push(format!("{file}: signature: {e}")),
            },
            Err(e) => details.push(format!("{file}: certificate: {e}")),
        }
    }

    // Sublayouts and links; one per distinct key.
    let mut links: Vec<(String, String, Link)> = Vec::new(); // (file, keyid, link)
    let mut seen_keys: Vec<PublicKey> = Vec::new();
    let mut sublayout = false;
    for (file, keyid, key, value, md) in verified {
        if seen_keys.contains(&key) {
            details.push(format!(
                "{file}: signed by a key already counted for this step (counted once)"
            ));
            continue;
        }
        let link = if value.get("_type").and_then(Value::as_str) == Some("layout") {
            if depth + 1 > MAX_DEPTH {
                return Err(IntotoError::Malformed {
                    path: link_dir.join(&file),
                    what: "layout",
                    reason: format!("sublayouts nested deeper than {MAX_DEPTH}"),
                    place: None,
                });
            }
            sublayout = true;
            let sub_dir: PathBuf = link_dir.join(format!("{}.{}", step.name, prefix8(&keyid)));
            let (_, summary) = verify_metadata(
                md,
                &link_dir.join(&file),
                std::slice::from_ref(&key),
                &sub_dir,
                opts,
                &step.name,
                depth + 1,
            )
            .map_err(|e| IntotoError::Sublayout {
                step: step.name.clone(),
                source: Box::new(e),
            })?;
            summary
        } else {
            match Link::from_value(&value) {
                Ok(l) if l.name == step.name => l,
                Ok(l) => {
                    details.push(format!(
                        "{file}: the link is for step `{}`, not `{}`",
                        l.name, step.name
                    ));
                    continue;
                }
                Err(e) => {
                    return Err(IntotoError::Malformed {
                        path: link_dir.join(&file),
                        what: "link",
                        place: md.place_of_signed(&e.field),
                        reason: e.to_string(),
                    });
                }
            }
        };
        seen_keys.push(key);
        links.push((file, keyid, link));
    }
    if links.len() < step.threshold {
        return Err(IntotoError::LinkThreshold {
            step: step.name.clone(),
            threshold: step.threshold,
            valid: links.len(),
            details,
        });
    }
    // Command alignment: a warning, as in the reference.
    for (file, _, l) in &links {
        if !step.expected_command.is_empty() && l.command != step.expected_command && !sublayout {
            warnings.push(format!(
                "{file}: command {:?} differs from the expected command {:?} of step `{}`",
                l.command, step.expected_command, step.name
            ));
        }
    }
    // All links of a step must agree.
    let (ref_file, _, reference) = &links[0];
    for (file, _, l) in &links[1..] {
        if l.materials != reference.materials || l.products != reference.products {
            return Err(IntotoError::LinksDiffer {
                step: step.name.clone(),
                a: ref_file.clone(),
                b: file.clone(),
            });
        }
    }
    let report = StepReport {
        name: step.name.clone(),
        threshold: step.threshold,
        functionaries: links.iter().map(|(_, k, _)| k.clone()).collect(),
        sublayout,
    };
    Ok((reference.clone(), report))
}
