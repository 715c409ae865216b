#!/usr/bin/env bash
# Regenerates src/engine/simulate/replace-table.ts (the simulate engine's replace rules) from the
# CloudFormation resource schemas that cfn-lint ships (pinned below), the mapping in aws_types.py
# and the Kubernetes provider's rules in kubernetes.py. Python runs in a venv under .cache/; tests
# and CI read only the committed table, so they need no Python. Idempotent; prints its time.
# Usage: bash scripts/replace-table/generate.sh
set -euo pipefail
CFN_LINT_VERSION=1.58.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.cache/replace-table/venv"
start=$(date +%s)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sys; from importlib.metadata import version; sys.exit(0 if version('cfn-lint') == '$CFN_LINT_VERSION' else 1)" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "cfn-lint==$CFN_LINT_VERSION"
fi
"$venv/bin/python" "$root/scripts/replace-table/generate.py" --root "$root" --out "$root/src/engine/simulate/replace-table.ts"
echo "replace table generated in $(( $(date +%s) - start ))s"
