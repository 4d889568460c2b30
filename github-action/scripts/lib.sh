# shellcheck shell=bash
# Helpers shared by the action's scripts. Every input arrives in the environment (INPUT_*), set by
# action.yml's `env:` blocks; nothing here is ever built from `${{ }}` text, so a value holding
# shell metacharacters is data, never code.

# Stops with a GitHub error annotation and exit code 2 (usage or input error).
die() {
  printf '::error title=tollgate::%s\n' "$(annotation "$*")" >&2
  exit 2
}

# Prints a warning annotation.
warn() {
  printf '::warning title=tollgate::%s\n' "$(annotation "$*")" >&2
}

# Escapes a message for a workflow command (%, CR and LF would end or forge the command).
annotation() {
  local s=$1
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

# Appends NAME=VALUE to a GITHUB_OUTPUT / GITHUB_ENV style file. A value with a line break would
# let an input forge further entries (`x\nverdict=pass`), so it is refused instead.
append_kv() {
  local file=$1 name=$2 value=$3
  case $value in
    *$'\n'* | *$'\r'*) die "$name: the value contains a line break" ;;
  esac
  printf '%s=%s\n' "$name" "$value" >>"$file"
}

# Sets a step output.
set_output() {
  append_kv "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}" "$1" "$2"
}

# A boolean input: prints `true` or `false`; anything else is an input error.
bool_input() {
  local name=$1 value=$2
  case $value in
    true | True | TRUE) printf true ;;
    false | False | FALSE | '') printf false ;;
    *) die "input $name: expected true or false, got '$value'" ;;
  esac
}
