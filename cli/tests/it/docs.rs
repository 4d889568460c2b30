//! The docs cover the CLI: driven by the clap command tree (every command's `--help`, walked
//! recursively), so a command added later fails here until it is documented.
//! - `docs/commands.md` has a section per command, with an example for every command that runs
//!   on its own, and every `--flag` an example uses exists on that command;
//! - `docs/reference/commands.md` is `tollgate man --format markdown` (generated, in sync).
//!
//! Config keys: `verifier/tests/docs.rs` (`every_config_key_is_documented`).

use std::path::Path;

use crate::run;

/// A command: its path after `tollgate` (`db update`), its `--help`.
pub struct Cmd {
    /// The path after `tollgate`.
    pub path: String,
    /// Its `--help`.
    pub help: String,
}

fn help(path: &str) -> String {
    let mut args: Vec<&str> = path.split_whitespace().collect();
    args.push("--help");
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "tollgate {path} --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Subcommand names listed under `Commands:` (not `help`).
fn subcommands(help: &str) -> Vec<String> {
    let mut in_list = false;
    let mut out = Vec::new();
    for line in help.lines() {
        if line.starts_with("Commands:") {
            in_list = true;
            continue;
        }
        if in_list {
            if !line.starts_with("  ") && !line.trim().is_empty() {
                break;
            }
            let l = line.strip_prefix("  ").unwrap_or("");
            if let Some(name) = l.split_whitespace().next()
                && !l.starts_with(' ')
                && name != "help"
            {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// Every command of the tree, by walking `--help`.
pub fn commands() -> Vec<Cmd> {
    let mut all = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(path) = stack.pop() {
        let h = help(&path);
        for sub in subcommands(&h).into_iter().rev() {
            stack.push(format!("{path} {sub}").trim().to_owned());
        }
        if !path.is_empty() {
            all.push(Cmd { path, help: h });
        }
    }
    all
}

/// A command that only groups others (`tollgate db <COMMAND>`) needs no example of its own.
pub fn group_only(help: &str) -> bool {
    let usage: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Usage:"))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    usage.len() == 1 && usage[0].trim_end().ends_with("<COMMAND>")
}

fn docs(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)).unwrap()
}

/// The section of `text` under the heading `` `tollgate PATH` `` (to the next heading).
fn section<'a>(text: &'a str, path: &str) -> Option<&'a str> {
    let heading = format!("`tollgate {path}`");
    let start = text
        .lines()
        .position(|l| l.starts_with('#') && l.trim_start_matches('#').trim() == heading)?;
    let lines: Vec<&str> = text.lines().collect();
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('#'))
        .map_or(lines.len(), |e| start + 1 + e);
    let from = lines[..=start].iter().map(|l| l.len() + 1).sum::<usize>();
    let to = lines[..end]
        .iter()
        .map(|l| l.len() + 1)
        .sum::<usize>()
        .min(text.len());
    Some(&text[from.min(to)..to])
}

/// Example commands in a section's code blocks (continuation lines joined).
fn examples(section: &str, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    let mut pending: Option<String> = None;
    for line in section.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let code = line.split("  #").next().unwrap_or("").trim_end();
        let joined = match pending.take() {
            Some(p) => format!("{p} {}", code.trim()),
            None => code.to_owned(),
        };
        if let Some(rest) = joined.strip_suffix('\\') {
            pending = Some(rest.trim_end().to_owned());
            continue;
        }
        let needle = format!("tollgate {path}");
        if let Some(at) = joined.find(&needle) {
            let after = &joined[at + needle.len()..];
            if after.is_empty() || after.starts_with(' ') {
                out.push(joined[at..].to_owned());
            }
        }
    }
    out
}

#[test]
fn every_command_has_a_section_with_examples_that_use_real_flags() {
    let text = docs("docs/commands.md");
    let cmds = commands();
    assert!(
        cmds.iter().any(|c| c.path == "check"),
        "the walk found the commands"
    );
    assert!(
        cmds.iter().any(|c| c.path == "attest verify-provenance"),
        "and nested ones"
    );
    let mut problems = Vec::new();
    for c in &cmds {
        let Some(sec) = section(&text, &c.path) else {
            problems.push(format!("no section `tollgate {}`", c.path));
            continue;
        };
        let ex = examples(sec, &c.path);
        if ex.is_empty() && !group_only(&c.help) {
            problems.push(format!("`tollgate {}`: no example", c.path));
        }
        for e in &ex {
            for word in e.split_whitespace().filter(|w| w.starts_with("--")) {
                let flag = word.split('=').next().unwrap_or(word);
                let known = c.help.lines().any(|l| {
                    l.split(|ch: char| matches!(ch, ',' | '[' | ']') || ch.is_whitespace())
                        .any(|w| w == flag)
                });
                if !known {
                    problems.push(format!("`{e}`: `tollgate {}` has no {flag}", c.path));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/commands.md:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_command_reference_is_generated_from_the_command_tree() {
    let out = run(&["man", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let have = docs("docs/reference/commands.md");
    assert!(
        have == String::from_utf8_lossy(&out.stdout),
        "docs/reference/commands.md is out of date: run `cargo run -p tollgate -- man --format markdown > docs/reference/commands.md`"
    );
    for c in commands() {
        assert!(
            have.contains(&format!("## `tollgate {}`", c.path)),
            "{}",
            c.path
        );
    }
}

#[test]
fn an_example_with_an_unknown_flag_is_caught() {
    // The negative twin of the flag check, on a made-up section.
    let sec = "```sh\ntollgate key id --no-such-flag k.pub\n```\n";
    let ex = examples(sec, "key id");
    assert_eq!(ex, ["tollgate key id --no-such-flag k.pub"]);
    let h = help("key id");
    assert!(!h.split_whitespace().any(|w| w == "--no-such-flag"));
    assert!(
        section("## `tollgate x`\nbody\n## next\n", "x")
            .unwrap()
            .contains("body")
    );
    assert!(section("## `tollgate x`\n", "y").is_none());
}

/// docs/guides/policy.md: every `<!-- run: ARGS => exit N -->` block, as `--config`, on the
/// guide's fixture, exits as the guide says. The guide shows at least one pass and one failure.
#[test]
fn the_policy_guide_examples_exit_as_written() {
    let text = docs("docs/guides/policy.md");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut lines = text.lines();
    let mut ran = Vec::new();
    while let Some(line) = lines.next() {
        let Some(spec) = line
            .strip_prefix("<!-- run: ")
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        let (args, exit) = spec.split_once(" => exit ").expect("`ARGS => exit N`");
        let exit: i32 = exit.parse().expect("exit code");
        assert_eq!(
            lines.next(),
            Some("```toml"),
            "a toml block follows `{line}`"
        );
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("policy.toml");
        std::fs::write(&config, block.join("\n")).unwrap();
        let out = crate::tollgate()
            .current_dir(&root)
            .args([
                "check",
                "testdata/check/cargo",
                "--db",
                "testdata/check/advisories",
                "--config",
            ])
            .arg(&config)
            .args(args.split_whitespace())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(exit),
            "policy.md block after `{line}`:\n{}\n{}",
            block.join("\n"),
            crate::render(&out)
        );
        ran.push(exit);
    }
    assert!(ran.contains(&0) && ran.contains(&1), "{ran:?}");
}
