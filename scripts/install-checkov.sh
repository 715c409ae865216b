#!/usr/bin/env bash
# Installs checkov (PyPI) at a pinned version, with its transitive dependencies pinned by
# scripts/checkov-constraints.txt, into a virtualenv under .cache/checkov/<version> (idempotent).
# Used by `npm run test:checkov` (test/checkov: checkov's Kubernetes checks over every rendered chart
# object and plain manifest of prod and stg). Prints the binary's path on stdout.
# Every installed distribution must be pinned in the constraints file (checked after the install), so
# a new transitive dependency of a rebuilt wheel fails here instead of drifting.
# Cold cost (fresh venv, `--no-cache-dir`, 2026-11-30): 69 s wall at load 2-5, 360 s at load ~23.
set -euo pipefail
VERSION=3.3.30
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.cache/checkov/$VERSION"
STAMP="$VENV/.constraints.sha256"
WANT="$(sha256sum "$ROOT/scripts/checkov-constraints.txt" | cut -d' ' -f1)"
start=$(date +%s)
if [ -x "$VENV/bin/checkov" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  echo "[checkov] $VERSION: up to date" >&2
else
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
    -c "$ROOT/scripts/checkov-constraints.txt" "checkov==$VERSION"
  unpinned="$("$VENV/bin/pip" freeze --disable-pip-version-check | grep -vxF -f <(grep -v '^#' "$ROOT/scripts/checkov-constraints.txt") | grep -vx "checkov==$VERSION" || true)"
  [ -z "$unpinned" ] || { echo "[checkov] installed but not pinned in scripts/checkov-constraints.txt: $unpinned" >&2; rm -rf "$VENV"; exit 1; }
  echo "$WANT" >"$STAMP"
fi
got="$(BC_SKIP_MAPPING=TRUE "$VENV/bin/checkov" --version 2>/dev/null | tail -1)"
[ "$got" = "$VERSION" ] || { echo "[checkov] installed checkov reports '$got', expected $VERSION" >&2; exit 1; }
echo "[checkov] $VERSION ready in $(( $(date +%s) - start ))s" >&2
echo "$VENV/bin/checkov"
