#!/usr/bin/env bash
# The action's first step: where the binary and the advisory database live, and the cache key of
# the binary built from source (a digest of the action's own checkout, so a new commit builds anew
# and the same commit is built once). Environment: INPUT_DB_CACHE, GITHUB_ACTION_PATH,
# RUNNER_TEMP, RUNNER_OS, GITHUB_OUTPUT.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

temp=${RUNNER_TEMP:?RUNNER_TEMP is not set}
source_dir=$(cd "${GITHUB_ACTION_PATH:-$here/..}/.." && pwd)
set_output source-dir "$source_dir"
set_output install-root "$temp/tollgate-bin"
set_output db "${INPUT_DB_CACHE:-$temp/tollgate-db}"

# The source's digest: every file's path and content (not target/, .git/, node_modules/), and the
# compiler that builds it.
digest=$(
  cd "$source_dir"
  {
    find . \( -path ./target -o -path ./.git -o -name node_modules \) -prune -o -type f -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
    rustc -V 2>/dev/null || true
  } | sha256sum | cut -c1-40
)
set_output source-key "tollgate-bin-${RUNNER_OS:-unknown}-$digest"
