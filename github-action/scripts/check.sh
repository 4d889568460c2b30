#!/usr/bin/env bash
# The action's gate step: runs `tollgate check`, writes the reports, the job summary and the step
# outputs. Inputs come from the environment only (see lib.sh). Exit status: 0 when the check ran
# (pass or fail; `enforce.sh` turns the verdict into the step's result after the SARIF upload),
# 2 when it could not run (bad input, unreadable lockfile, …).
#
# Environment: INPUT_PATH, INPUT_CONFIG, INPUT_FAIL_ON, INPUT_FORMAT, INPUT_VERIFY_REGISTRY,
# INPUT_VERIFY_PROVENANCE, INPUT_SARIF_FILE, INPUT_ARGS; TOLLGATE_BIN (default: tollgate on
# PATH), TOLLGATE_DB (set by db.sh through GITHUB_ENV); GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# RUNNER_TEMP.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

tollgate=${TOLLGATE_BIN:-tollgate}
work="${RUNNER_TEMP:?RUNNER_TEMP is not set}/tollgate"
mkdir -p "$work"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"

format=${INPUT_FORMAT:-human}
case $format in
  human) ext=txt ;;
  json) ext=json ;;
  sarif) ext=sarif ;;
  markdown) ext=md ;;
  *) die "input format: expected human, json, sarif or markdown, got '$format'" ;;
esac
verify_registry=$(bool_input verify-registry "${INPUT_VERIFY_REGISTRY:-false}")
verify_provenance=$(bool_input verify-provenance "${INPUT_VERIFY_PROVENANCE:-false}")
upload=$(bool_input upload-sarif "${INPUT_UPLOAD_SARIF:-false}")
case ${INPUT_SARIF_FILE:-} in
  *$'\n'* | *$'\r'*) die "input sarif-file: the path contains a line break" ;;
esac

opts=()
[ -n "${INPUT_CONFIG:-}" ] && opts+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && opts+=(--fail-on "$INPUT_FAIL_ON")
[ "$verify_provenance" = true ] && opts+=(--verify-provenance)
# `args`: extra arguments split at whitespace, never evaluated: no quotes, globs, variables or
# command substitution (`read` does none of them).
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
fi
# The path goes after `--`, so that a path beginning with `-` stays a path.
target=(-- "${INPUT_PATH:-.}")

# Every run evaluates waivers and SLAs at the same instant, and the runs after the first read the
# registry only from the HTTP cache the first one filled: the reports agree with each other.
export TOLLGATE_NOW=${TOLLGATE_NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
first=()
later=()
if [ "$verify_registry" = true ]; then
  first=(--verify-registry)
  later=(--verify-registry --offline)
fi

json="$work/report.json"
markdown="$work/report.md"
errlog="$work/stderr.log"

# Runs one check, its stderr shown in the log and kept for the summary; prints the exit code.
run_check() {
  local rc=0
  "$tollgate" check "$@" 2> >(tee -a "$errlog" >&2) || rc=$?
  wait # for tee
  return "$rc"
}

rm -f -- "$json" "$markdown" "$work/report.txt" "$work/report.sarif"
: >"$errlog"
rc=0
run_check --format json --output "$json" "${first[@]}" "${opts[@]}" "${extra[@]}" "${target[@]}" || rc=$?

if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] || [ ! -s "$json" ]; then
  set_output verdict error
  set_output exit-code 2
  {
    printf '## tollgate: could not check\n\n'
    # shellcheck disable=SC2016 # backquotes are Markdown here
    printf '`tollgate check` exited with %s. Its messages:\n\n<pre>\n' "$rc"
    head -n 50 "$errlog" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
    printf '</pre>\n'
  } >>"$GITHUB_STEP_SUMMARY"
  exit 2
fi

verdict=$(jq -r '.verdict' "$json")
case $verdict in
  pass | fail) ;;
  *) die "unexpected verdict '$verdict' in $json" ;;
esac
if { [ "$verdict" = pass ] && [ "$rc" -ne 0 ]; } || { [ "$verdict" = fail ] && [ "$rc" -ne 1 ]; }; then
  die "exit code $rc disagrees with the verdict '$verdict' in $json"
fi

set_output verdict "$verdict"
set_output exit-code "$rc"
for s in critical high medium low; do
  set_output "$s" "$(jq -r --arg s "$s" '.summary.by_severity[$s] // 0' "$json")"
done
for k in blocking warnings waived; do
  set_output "$k" "$(jq -r --arg k "$k" '.summary[$k] // 0' "$json")"
done

# The Markdown report becomes the job summary (GitHub takes at most 1 MiB per step).
run_check --format markdown --output "$markdown" -q "${later[@]}" "${opts[@]}" "${extra[@]}" "${target[@]}" >/dev/null || true
[ -s "$markdown" ] || die "no Markdown report was written"
limit=1000000
if [ "$(wc -c <"$markdown")" -gt "$limit" ]; then
  head -c "$limit" "$markdown" | sed '$d' >>"$GITHUB_STEP_SUMMARY"
  # shellcheck disable=SC2016 # backquotes are Markdown here
  printf '\n\n_The report was cut at 1 MB; the full report is the `report-file` output._\n' >>"$GITHUB_STEP_SUMMARY"
else
  cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
fi

# The report in the requested format.
report="$work/report.$ext"
case $format in
  json | markdown) ;;
  *) run_check --format "$format" --output "$report" -q "${later[@]}" "${opts[@]}" "${extra[@]}" "${target[@]}" >/dev/null || true ;;
esac
[ -s "$report" ] || die "no $format report was written"
set_output report-file "$report"

# SARIF for code scanning, when asked for (upload-sarif without a sarif-file: one under RUNNER_TEMP).
if [ -z "${INPUT_SARIF_FILE:-}" ] && [ "$upload" = true ]; then
  INPUT_SARIF_FILE="$work/tollgate.sarif"
fi
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
  if [ "$format" = sarif ]; then
    cp -- "$report" "$INPUT_SARIF_FILE"
  else
    run_check --format sarif --output "$INPUT_SARIF_FILE" -q "${later[@]}" "${opts[@]}" "${extra[@]}" "${target[@]}" >/dev/null || true
  fi
  [ -s "$INPUT_SARIF_FILE" ] || die "no SARIF report was written to $INPUT_SARIF_FILE"
  set_output sarif-file "$INPUT_SARIF_FILE"
else
  set_output sarif-file ""
fi
