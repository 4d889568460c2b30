#!/usr/bin/env bash
# The action's database step: updates the advisory database kept in DB_DIR (restored from the
# cache), unless INPUT_DB_UPDATE is false. When the update fails the cached copy is used; when
# there is no usable copy at all the check falls back to the snapshot embedded in tollgate, with a
# warning (and `tollgate check` warns about its age). TOLLGATE_DB goes to GITHUB_ENV only for a
# database that `tollgate db status` accepts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

tollgate=${TOLLGATE_BIN:-tollgate}
db=${DB_DIR:?DB_DIR is not set}
: "${GITHUB_ENV:?GITHUB_ENV is not set}"
update=$(bool_input db-update "${INPUT_DB_UPDATE:-true}")

if [ "$update" = true ]; then
  mkdir -p "$db"
  "$tollgate" db update --db "$db" || warn "the advisory database could not be updated; using the cached copy if there is one"
fi
if "$tollgate" db status --db "$db" >/dev/null 2>&1; then
  "$tollgate" db status --db "$db" || true
  append_kv "$GITHUB_ENV" TOLLGATE_DB "$db"
else
  warn "no usable advisory database in $db: the check uses the snapshot embedded in tollgate"
fi
