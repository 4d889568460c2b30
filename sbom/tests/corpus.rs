//! Every corpus lockfile becomes a BOM that holds every package of its graph and every edge:
//! no package and no dependency is lost on the way to CycloneDX.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tollgate_sbom::{Options, SpecVersion, build, to_json};
use tollgate_verifier::time::Timestamp;
use tollgate_verifier::{LoadOptions, load_graph};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn inputs() -> Vec<PathBuf> {
    let text = std::fs::read_to_string(corpus().join("manifest.json"))
        .expect("../shared/corpus/manifest.json is readable (the repo needs ../shared beside it)");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tollgate_input"] == Value::Bool(true) && f["ok"] == Value::Bool(true))
        .map(|f| corpus().join(f["path"].as_str().unwrap()))
        .collect()
}

fn opts() -> Options {
    Options {
        spec_version: SpecVersion::V1_6,
        timestamp: Timestamp(1_700_000_000),
        serial_number: None,
        name: "corpus".into(),
        tool_version: "0.0.0-test".into(),
    }
}

#[test]
fn every_package_and_edge_of_every_corpus_lockfile_is_in_its_bom() {
    let files = inputs();
    assert!(files.len() > 100, "corpus: {} inputs", files.len());
    for file in &files {
        let graph = match load_graph(std::slice::from_ref(file), &LoadOptions::default()) {
            Ok(g) => g,
            // A lockfile without packages is an input error (exit 2) before any SBOM.
            Err(e) if e.to_string().contains("no packages in the lockfile") => continue,
            Err(e) => panic!("{}: {e}", file.display()),
        };
        let mut bom = build(&graph, &opts()).unwrap();
        let doc: Value = serde_json::from_slice(&to_json(&mut bom).unwrap()).unwrap();
        assert_eq!(
            doc["serialNumber"].as_str(),
            Some(bom.serial_number.as_str())
        );

        // bom-refs are unique; every dependency entry names a component, once.
        let mut refs = BTreeSet::new();
        refs.insert(
            doc["metadata"]["component"]["bom-ref"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        for c in doc["components"].as_array().unwrap() {
            assert!(
                refs.insert(c["bom-ref"].as_str().unwrap().to_owned()),
                "{}: duplicate bom-ref {}",
                file.display(),
                c["bom-ref"]
            );
        }
        let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for d in doc["dependencies"].as_array().unwrap() {
            let r = d["ref"].as_str().unwrap().to_owned();
            assert!(
                refs.contains(&r),
                "{}: dependency of unknown {r}",
                file.display()
            );
            let on: BTreeSet<String> = d["dependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect();
            assert!(
                on.is_subset(&refs),
                "{}: {r} depends on unknown refs",
                file.display()
            );
            assert!(
                deps.insert(r, on).is_none(),
                "{}: two entries",
                file.display()
            );
        }
        assert_eq!(
            deps.len(),
            refs.len(),
            "{}: a component without its entry",
            file.display()
        );

        // Every package is a component (by its purl), and every edge of the graph is there.
        let by_purl: BTreeSet<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .chain(std::iter::once(&doc["metadata"]["component"]))
            .filter_map(|c| c["purl"].as_str())
            .collect();
        for (id, p) in graph.packages() {
            if let Some(purl) = tollgate_sbom::purl::component_purl(p) {
                assert!(
                    by_purl.contains(purl.as_str()),
                    "{}: {purl} missing",
                    file.display()
                );
            }
            let from = tollgate_sbom::purl::component_purl(p);
            for (dep, _) in graph.dependencies(id) {
                let (Some(from), Some(to)) = (
                    &from,
                    tollgate_sbom::purl::component_purl(graph.package(dep)),
                ) else {
                    continue;
                };
                if *from != to {
                    assert!(
                        deps[from].contains(&to),
                        "{}: edge {from} -> {to} lost",
                        file.display()
                    );
                }
            }
        }
    }
}

#[test]
fn the_same_graph_gives_the_same_bytes_and_another_graph_another_serial() {
    let files = inputs();
    let a = &files[0];
    let b = &files[1];
    let bytes = |f: &PathBuf| {
        let g = load_graph(std::slice::from_ref(f), &LoadOptions::default()).unwrap();
        to_json(&mut build(&g, &opts()).unwrap()).unwrap()
    };
    assert_eq!(bytes(a), bytes(a), "not reproducible");
    let serial = |v: &[u8]| {
        let d: Value = serde_json::from_slice(v).unwrap();
        d["serialNumber"].as_str().unwrap().to_owned()
    };
    assert_ne!(
        serial(&bytes(a)),
        serial(&bytes(b)),
        "content-derived serials collide"
    );
    // A given serial number is kept; a malformed one is refused.
    let g = load_graph(std::slice::from_ref(a), &LoadOptions::default()).unwrap();
    let mut o = opts();
    o.serial_number = Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into());
    assert_eq!(
        build(&g, &o).unwrap().serial_number,
        "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    );
    o.serial_number = Some("not-a-urn".into());
    assert!(build(&g, &o).is_err());
}

#[test]
fn the_streamed_plan_writes_the_bytes_of_the_whole_bom() {
    // Each corpus lockfile alone (one root), and all of them at once (several roots: the
    // described project sorted in among the components' dependency entries).
    let files = inputs();
    let mut graphs: Vec<Vec<PathBuf>> = files.iter().map(|f| vec![f.clone()]).collect();
    graphs.push(files.clone());
    for set in &graphs {
        let graph = match load_graph(set, &LoadOptions::default()) {
            Ok(g) => g,
            Err(e) if e.to_string().contains("no packages in the lockfile") => continue,
            Err(e) => panic!("{}: {e}", set[0].display()),
        };
        for given in [None, Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")] {
            let mut o = opts();
            o.serial_number = given.map(str::to_owned);
            let mut bom = build(&graph, &o).unwrap();
            let whole = to_json(&mut bom).unwrap();
            let plan = tollgate_sbom::Plan::new(&graph, &o).unwrap();
            assert_eq!(plan.components_len(), bom.components.len());
            let (mem, serial) = plan.to_json().unwrap();
            assert!(mem == whole, "{}: in-memory bytes differ", set[0].display());
            assert_eq!(serial, bom.serial_number);
            let mut file = std::io::Cursor::new(Vec::new());
            let written = plan.write_json_to(&mut file).unwrap();
            assert_eq!(written.len as usize, whole.len());
            assert_eq!(written.serial_number, bom.serial_number);
            assert!(
                file.into_inner() == whole,
                "{}: streamed bytes differ",
                set[0].display()
            );
        }
    }
}
