#!/usr/bin/env bash
# The action's install step. With INPUT_BINARY_URL: downloads that release binary (https only) and
# installs it only when its SHA-256 is INPUT_BINARY_SHA256. Otherwise builds tollgate from the
# action's own checkout with `cargo install --locked` into INSTALL_ROOT (restored from the cache
# when this commit was built before). Puts the binary on GITHUB_PATH and names it in GITHUB_ENV
# (TOLLGATE_BIN) for the steps after.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

root=${INSTALL_ROOT:?INSTALL_ROOT is not set}
: "${GITHUB_ENV:?GITHUB_ENV is not set}" "${GITHUB_PATH:?GITHUB_PATH is not set}"
url=${INPUT_BINARY_URL:-}
sha=${INPUT_BINARY_SHA256:-}

if [ -n "$url" ]; then
  case $url in
    https://*) ;;
    *) die "input binary-url: only https:// URLs are accepted, got '$url'" ;;
  esac
  [[ $sha =~ ^[0-9a-fA-F]{64}$ ]] || die "input binary-sha256: expected the 64 hex digits of the binary's SHA-256 (binary-url needs it)"
  dl="$root/download"
  mkdir -p "$dl" "$root/bin"
  file="$dl/asset"
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location --max-filesize 209715200 \
    --retry 3 --output "$file" -- "$url" || die "cannot download $url"
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  [ "${actual,,}" = "${sha,,}" ] || die "binary-url: SHA-256 is $actual, binary-sha256 pins $sha: not installed"
  case $url in
    *.tar.gz | *.tgz)
      mkdir -p "$dl/x"
      tar -xzf "$file" -C "$dl/x" --no-same-owner
      found=$(find "$dl/x" -type f -name tollgate | head -n 2)
      [ "$(printf '%s\n' "$found" | grep -c .)" = 1 ] || die "binary-url: the archive must hold exactly one file named tollgate"
      install -m 0755 "$found" "$root/bin/tollgate"
      ;;
    *) install -m 0755 "$file" "$root/bin/tollgate" ;;
  esac
elif [ -x "$root/bin/tollgate" ]; then
  echo "tollgate: built from this commit before (cache hit)"
else
  src=${SOURCE_DIR:?SOURCE_DIR is not set}
  cargo install --locked --path "$src/cli" --root "$root" --bin tollgate
fi

"$root/bin/tollgate" --version
printf '%s\n' "$root/bin" >>"$GITHUB_PATH"
append_kv "$GITHUB_ENV" TOLLGATE_BIN "$root/bin/tollgate"
