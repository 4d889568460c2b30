//! Typed views of layouts and links, read from the *verified* JSON value.
//!
//! Signatures are always checked over the received bytes (DSSE) or the canonical form of the
//! received `signed` value (Metablock); these types are built afterwards, for reading only.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules::Rule;
use crate::keys::{SslibKey, parse_sslib_key};
use crate::statement::Statement;

/// Hash object of one artefact: algorithm → hex, compared exactly as the reference does.
pub type HashObj = BTreeMap<String, String>;
/// Artefacts of a link: path → hashes.
pub type Artifacts = BTreeMap<String, HashObj>;

/// in-toto-golang certificate constraints of a step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertConstraint {
    /// `common_name`.
    pub common_name: String,
    /// `dns_names`.
    pub dns_names: Vec<String>,
    /// `emails`.
    pub emails: Vec<String>,
    /// `organizations`.
    pub organizations: Vec<String>,
    /// `roots` (root CA ids of the layout, or `*`).
    pub roots: Vec<String>,
    /// `uris`.
    pub uris: Vec<String>,
}

/// A step of the supply chain.
#[derive(Debug, Clone)]
pub struct Step {
    /// Name (unique in the layout).
    pub name: String,
    /// Authorised functionary key ids.
    pub pubkeys: Vec<String>,
    /// Links needed from distinct functionaries.
    pub threshold: usize,
    /// Expected command (checked as a warning only, like the reference).
    pub expected_command: Vec<String>,
    /// Material rules.
    pub expected_materials: Vec<Rule>,
    /// Product rules.
    pub expected_products: Vec<Rule>,
    /// Certificate constraints (in-toto-golang extension).
    pub cert_constraints: Vec<CertConstraint>,
}

/// An inspection: a command the verifier runs.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Name.
    pub name: String,
    /// Command line.
    pub run: Vec<String>,
    /// Material rules.
    pub expected_materials: Vec<Rule>,
    /// Product rules.
    pub expected_products: Vec<Rule>,
}

/// A layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `expires` as written.
    pub expires: String,
    /// Functionary keys by id.
    pub keys: BTreeMap<String, SslibKey>,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// Inspections, in order.
    pub inspect: Vec<Inspection>,
    /// Root CA certificates (PEM) by id.
    pub rootcas: BTreeMap<String, String>,
    /// Intermediate CA certificates (PEM) by id.
    pub intermediatecas: BTreeMap<String, String>,
}

/// A link: what a step (or inspection) consumed and produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Step name.
    pub name: String,
    /// Materials.
    pub materials: Artifacts,
    /// Products.
    pub products: Artifacts,
    /// Command that ran.
    pub command: Vec<String>,
    /// Byproducts (stdout, stderr, return-value).
    pub byproducts: Value,
}

/// A malformed layout or link field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ModelError {
    /// JSON path of the field.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

fn is_hex_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn merr(field: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError {
        field: field.into(),
        reason: reason.into(),
    }
}

fn obj<'a>(v: &'a Value, at: &str) -> Result<&'a serde_json::Map<String, Value>, ModelError> {
    v.as_object().ok_or_else(|| merr(at, "expected an object"))
}

fn str_list(v: Option<&Value>, at: &str) -> Result<Vec<String>, ModelError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| merr(format!("{at}[{i}]"), "expected a string"))
            })
            .collect(),
        Some(_) => Err(merr(at, "expected an array of strings")),
    }
}

fn rules(v: Option<&Value>, at: &str) -> Result<Vec<Rule>, ModelError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if v.is_null() {
        return Ok(Vec::new());
    }
    let a = v
        .as_array()
        .ok_or_else(|| merr(at, "expected an array of rules"))?;
    a.iter()
        .enumerate()
        .map(|(i, r)| {
            let parts = str_list(Some(r), &format!("{at}[{i}]"))?;
            Rule::parse(&parts).map_err(|e| merr(format!("{at}[{i}]"), e))
        })
        .collect()
}

fn name(o: &serde_json::Map<String, Value>, at: &str) -> Result<String, ModelError> {
    let n = o
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| merr(format!("{at}.name"), "missing or not a string"))?;
    if n.is_empty() || n.contains('/') || n.contains('\\') || n == "." || n == ".." {
        return Err(merr(
            format!("{at}.name"),
            format!("`{n}` is not a valid step name (empty or a path)"),
        ));
    }
    Ok(n.to_owned())
}

fn cert_constraint(v: &Value, at: &str) -> Result<CertConstraint, ModelError> {
    let o = obj(v, at)?;
    Ok(CertConstraint {
        common_name: match o.get("common_name") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(merr(format!("{at}.common_name"), "not a string")),
        },
        dns_names: str_list(o.get("dns_names"), &format!("{at}.dns_names"))?,
        emails: str_list(o.get("emails"), &format!("{at}.emails"))?,
        organizations: str_list(o.get("organizations"), &format!("{at}.organizations"))?,
        roots: str_list(o.get("roots"), &format!("{at}.roots"))?,
        uris: str_list(o.get("uris"), &format!("{at}.uris"))?,
    })
}

fn cas(v: Option<&Value>, at: &str) -> Result<BTreeMap<String, String>, ModelError> {
    let mut out = BTreeMap::new();
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(out);
    };
    for (id, k) in obj(v, at)? {
        let pem = k
            .get("keyval")
            .and_then(|kv| kv.get("certificate"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                merr(
                    format!("{at}.{id}.keyval.certificate"),
                    "missing or not a string",
                )
            })?;
        out.insert(id.clone(), pem.to_owned());
    }
    Ok(out)
}

impl Layout {
    /// Reads a layout from its (verified) JSON value.
    pub fn from_value(v: &Value) -> Result<Layout, ModelError> {
        let o = obj(v, "layout")?;
        match o.get("_type").and_then(Value::as_str) {
            Some("layout") => {}
            other => {
                return Err(merr(
                    "_type",
                    format!("expected \"layout\", found {other:?}"),
                ));
            }
        }
        let expires = o
            .get("expires")
            .and_then(Value::as_str)
            .ok_or_else(|| merr("expires", "missing or not a string"))?
            .to_owned();
        let mut keys = BTreeMap::new();
        if let Some(kv) = o.get("keys").filter(|v| !v.is_null()) {
            for (id, k) in obj(kv, "keys")? {
                let at = format!("keys.{id}");
                if !is_hex_id(id) {
                    return Err(merr(&at, "the key id is not hexadecimal"));
                }
                let key = parse_sslib_key(k).map_err(|e| merr(&at, e.to_string()))?;
                if let Some(d) = &key.declared_keyid
                    && d != id
                {
                    return Err(merr(
                        &at,
                        format!("the key's `keyid` field `{d}` differs from its entry `{id}`"),
                    ));
                }
                if !key.matches_id(id) {
                    return Err(merr(
                        &at,
                        format!(
                            "keyid mismatch: declared `{id}`, computed {} (securesystemslib, \
                             with/without keyid_hash_algorithms)",
                            key.computed_keyids.join(" / ")
                        ),
                    ));
                }
                keys.insert(id.clone(), key);
            }
        }
        let mut steps = Vec::new();
        for (i, s) in o
            .get("steps")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let at = format!("steps[{i}]");
            let so = obj(s, &at)?;
            let name = name(so, &at)?;
            let threshold = match so.get("threshold") {
                None => 1,
                Some(t) => t
                    .as_u64()
                    .filter(|t| *t >= 1 && *t <= 1024)
                    .ok_or_else(|| merr(format!("{at}.threshold"), "expected an integer ≥ 1"))?
                    as usize,
            };
            let mut cc = Vec::new();
            if let Some(Value::Array(a)) = so.get("cert_constraints") {
                for (j, c) in a.iter().enumerate() {
                    cc.push(cert_constraint(c, &format!("{at}.cert_constraints[{j}]"))?);
                }
            }
            let pubkeys = str_list(so.get("pubkeys"), &format!("{at}.pubkeys"))?;
            if let Some(bad) = pubkeys.iter().find(|k| !is_hex_id(k)) {
                // Key ids become file names (`<step>.<keyid[:8]>.link`): hex only.
                return Err(merr(
                    format!("{at}.pubkeys"),
                    format!("`{bad}` is not a hex key id"),
                ));
            }
            steps.push(Step {
                pubkeys,
                threshold,
                expected_command: str_list(
                    so.get("expected_command"),
                    &format!("{at}.expected_command"),
                )?,
                expected_materials: rules(
                    so.get("expected_materials"),
                    &format!("{at}.expected_materials"),
                )?,
                expected_products: rules(
                    so.get("expected_products"),
                    &format!("{at}.expected_products"),
                )?,
                cert_constraints: cc,
                name,
            });
        }
        let mut inspect = Vec::new();
        for (i, s) in o
            .get("inspect")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let at = format!("inspect[{i}]");
            let so = obj(s, &at)?;
            let run = str_list(so.get("run"), &format!("{at}.run"))?;
            inspect.push(Inspection {
                name: name(so, &at)?,
                run,
                expected_materials: rules(
                    so.get("expected_materials"),
                    &format!("{at}.expected_materials"),
                )?,
                expected_products: rules(
                    so.get("expected_products"),
                    &format!("{at}.expected_products"),
                )?,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for n in steps
            .iter()
            .map(|s| &s.name)
            .chain(inspect.iter().map(|i| &i.name))
        {
            if !seen.insert(n) {
                return Err(merr(
                    "steps/inspect",
                    format!("the name `{n}` is used twice"),
                ));
            }
        }
        Ok(Layout {
            expires,
            keys,
            steps,
            inspect,
            rootcas: cas(o.get("rootcas"), "rootcas")?,
            intermediatecas: cas(o.get("intermediatecas"), "intermediatecas")?,
        })
    }
}

/// Predicate type of in-toto link attestations (a link as a Statement).
pub const LINK_PREDICATE_V03: &str = "https://in-toto.io/attestation/link/v0.3";

fn artifacts(v: Option<&Value>, at: &str) -> Result<Artifacts, ModelError> {
    let mut out = Artifacts::new();
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(out);
    };
    for (path, h) in obj(v, at)? {
        let mut hashes = HashObj::new();
        for (alg, hex) in obj(h, &format!("{at}.{path}"))? {
            let hex = hex
                .as_str()
                .ok_or_else(|| merr(format!("{at}.{path}.{alg}"), "not a string"))?;
            hashes.insert(alg.clone(), hex.to_owned());
        }
        out.insert(path.clone(), hashes);
    }
    Ok(out)
}

impl Link {
    /// Reads a link: a classic `_type: link` object, or an in-toto Statement with predicate
    /// type `https://in-toto.io/attestation/link/v0.3` (products are the subjects).
    pub fn from_value(v: &Value) -> Result<Link, ModelError> {
        let o = obj(v, "link")?;
        if o.get("_type").and_then(Value::as_str) == Some("link") {
            return Ok(Link {
                name: o
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| merr("name", "missing or not a string"))?
                    .to_owned(),
                materials: artifacts(o.get("materials"), "materials")?,
                products: artifacts(o.get("products"), "products")?,
                command: str_list(o.get("command"), "command")?,
                byproducts: o.get("byproducts").cloned().unwrap_or(Value::Null),
            });
        }
        let st = Statement::from_value(v).map_err(|e| merr("statement", e.to_string()))?;
        if st.predicate_type != LINK_PREDICATE_V03 {
            return Err(merr(
                "predicateType",
                format!(
                    "`{}` is not a link (expected {LINK_PREDICATE_V03})",
                    st.predicate_type
                ),
            ));
        }
        let p = obj(&st.predicate, "predicate")?;
        let mut materials = Artifacts::new();
        if let Some(Value::Array(ms)) = p.get("materials") {
            for (i, m) in ms.iter().enumerate() {
                let at = format!("predicate.materials[{i}]");
                let mo = obj(m, &at)?;
                let n = mo
                    .get("name")
                    .or_else(|| mo.get("uri"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| merr(format!("{at}.name"), "missing"))?;
                let d = artifacts(
                    Some(
                        &serde_json::json!({ "x": mo.get("digest").cloned().unwrap_or_default() }),
                    ),
                    &at,
                )?;
                materials.insert(n.to_owned(), d.into_values().next().unwrap_or_default());
            }
        }
        let products = st
            .subjects
            .iter()
            .map(|s| (s.name.clone(), s.digest.entries().clone()))
            .collect();
        Ok(Link {
            name: p
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| merr("predicate.name", "missing or not a string"))?
                .to_owned(),
            materials,
            products,
            command: str_list(p.get("command"), "predicate.command")?,
            byproducts: p.get("byproducts").cloned().unwrap_or(Value::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layout(step: Value) -> Value {
        json!({"_type": "layout", "expires": "2099-01-01T00:00:00Z", "keys": {}, "steps": [step], "inspect": []})
    }

    #[test]
    fn accepts_minimal_step() {
        let l = Layout::from_value(&layout(
            json!({"name": "a", "pubkeys": ["ab12"], "threshold": 2}),
        ))
        .unwrap();
        assert_eq!(l.steps[0].threshold, 2);
    }

    #[test]
    fn rejects_path_like_names_and_key_ids() {
        for step in [
            json!({"name": "../x", "pubkeys": []}),
            json!({"name": "a", "pubkeys": ["/../../etc"]}),
            json!({"name": "a", "pubkeys": [], "threshold": 0}),
            json!({"name": "a", "pubkeys": [], "expected_products": [["ALLOW"]]}),
        ] {
            assert!(Layout::from_value(&layout(step.clone())).is_err(), "{step}");
        }
        let dup = json!({"_type": "layout", "expires": "x", "steps": [{"name": "a"}], "inspect": [{"name": "a", "run": ["true"]}]});
        assert!(
            Layout::from_value(&dup)
                .unwrap_err()
                .reason
                .contains("used twice")
        );
    }
}
