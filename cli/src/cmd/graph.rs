//! `tollgate graph` and `tollgate why`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use tollgate_verifier::policy::Config;
use tollgate_verifier::render::graph as render;
use tollgate_verifier::{Graph, LoadOptions};

use crate::Outcome;
use crate::args::{GlobalArgs, GraphArgs, InputArgs, OutputFormat, WhyArgs};
use crate::output::Output;

/// Loads the graph named by the input arguments and reports its warnings.
pub fn load(input: &InputArgs, config: &Config, out: &Output) -> anyhow::Result<Graph> {
    let mut paths: Vec<PathBuf> = input.path.iter().cloned().collect();
    paths.extend(input.lockfiles.iter().cloned());
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let opts = LoadOptions {
        max_file_size: input.max_file_size,
        exclude: config.exclude.clone(),
        ..LoadOptions::default()
    };
    let graph = tollgate_verifier::load_graph(&paths, &opts)?;
    warn_about(&graph, out);
    Ok(graph)
}

/// Prints the graph's lockfile warnings: each with `-v`, else their count.
pub fn warn_about(graph: &Graph, out: &Output) {
    let warnings = graph.diagnostics();
    if out.verbose > 0 {
        for w in &warnings {
            let file = graph
                .lockfiles
                .get(w.lockfile as usize)
                .map(|l| l.display.as_str())
                .unwrap_or("");
            if w.line > 0 {
                out.warn(&format!("{file}:{}: {}", w.line, w.message));
            } else {
                out.warn(&format!("{file}: {}", w.message));
            }
        }
    } else if !warnings.is_empty() {
        out.warn(&format!(
            "{} lockfile warning(s) (unresolved dependencies, malformed hashes); -v shows them",
            warnings.len()
        ));
    }
}

/// `tollgate graph`.
pub fn graph(a: &GraphArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let config = super::check::load_config(&a.input, out)?;
    let graph = load(&a.input, &config, out)?;
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => render::render_json(&graph, &mut w)?,
        OutputFormat::Human => {
            render::render_summary(&render::summarize(&graph), out.report_style(), &mut w)?
        }
        f => bail!("`graph` does not support --format {}; use human or json", f),
    }
    w.flush()?;
    // The process ends here: freeing 10^5 packages one string at a time would only cost time.
    std::mem::forget(graph);
    Ok(Outcome::Pass)
}

/// `tollgate why`.
pub fn why(a: &WhyArgs, g: &GlobalArgs, out: &Output) -> anyhow::Result<Outcome> {
    let config = super::check::load_config(&a.input, out)?;
    let graph = load(&a.input, &config, out)?;
    let answer = render::why(&graph, &a.package, a.limit);
    if answer.matches.is_empty() {
        bail!("no package named `{}` in the graph", a.package);
    }
    let mut w = out.report();
    match g.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut w, &answer)?;
            writeln!(w)?;
        }
        OutputFormat::Human => render::render_why(&answer, out.report_style(), &mut w)?,
        f => bail!("`why` does not support --format {}; use human or json", f),
    }
    w.flush()?;
    Ok(Outcome::Pass)
}
