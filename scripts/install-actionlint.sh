#!/usr/bin/env bash
# Installs actionlint (the GitHub Actions workflow checker) from its Go module at a pinned version
# into .cache/actionlint/<version>/bin (idempotent: a present binary of that version is kept).
# Cold: about 11 s on 2 cores with a warm Go module proxy. Prints the binary's path on stdout.
set -euo pipefail
VERSION=v1.7.12
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.cache/actionlint/$VERSION/bin"
start=$(date +%s)
if [ -x "$BIN/actionlint" ] && [ "$("$BIN/actionlint" -version | head -1)" = "$VERSION" ]; then
  echo "[actionlint] $VERSION: up to date" >&2
else
  command -v go >/dev/null || { echo "[actionlint] Go is not installed" >&2; exit 1; }
  mkdir -p "$BIN"
  GOBIN="$BIN" GOFLAGS=-mod=mod GOTOOLCHAIN=local go install -trimpath -ldflags "-s -w -X github.com/rhysd/actionlint.version=$VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
  got="$("$BIN/actionlint" -version | head -1)"
  [ "$got" = "$VERSION" ] || { echo "[actionlint] built binary reports '$got', expected $VERSION" >&2; exit 1; }
fi
echo "[actionlint] $VERSION ready in $(( $(date +%s) - start ))s" >&2
echo "$BIN/actionlint"
