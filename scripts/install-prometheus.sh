#!/usr/bin/env bash
# install-prometheus.sh: build prometheus, promtool, alertmanager and amtool from their Go modules
# (Apache-2.0) for the observability tests (phase 7: promtool check/test rules, amtool check-config, a
# real Alertmanager delivering to a loopback webhook, the metrics-flow gate against a real Prometheus).
#
# Algorithm:
#   1. Versions come from the wrapper modules in scripts/prometheus/<name>/go.mod (one place):
#      github.com/prometheus/prometheus (v0.316.0 = Prometheus 3.16.0) and
#      github.com/prometheus/alertmanager (v0.31.1: the newest release whose module zip carries its
#      web UI; v0.32+ embed an npm-built ui/app/dist that the zip lacks, so `go build` fails there).
#   2. Each step is skipped when its binaries are present in .cache/prometheus/<key>/bin and stamped
#      with the same version (bin/STAMP-<step>); --force-build rebuilds.
#   3. One `go build` per wrapper module with -mod=readonly: the committed go.sum is the integrity
#      check. Version stamped through prometheus/common/version like upstream's promu does, so
#      `--version` and /api/v1/status/buildinfo report it.
#   4. Verifies each binary reports its version, prints every step's wall time and writes BUILD-INFO.
#   5. Copies the Prometheus Operator's CRDs (module github.com/prometheus-operator/prometheus-operator
#      at the version scripts/prometheus/operator-crds/go.mod pins, verified against its go.sum; the
#      operator of kube-prometheus-stack 88.5.3) into <key>/crds/prometheus-operator: the tests apply
#      phase 7's PrometheusRule, PodMonitor and ServiceMonitor objects to a real API server with them.
#
# Cost (measured 2026-11-30, 2 cores, empty Go caches, a Pulumi engine build running beside it):
#   see the BUILD-INFO of the run and the comment in .ci/run. The Prometheus compile is the big one
#   (lab: 284 s idle, 441 s loaded, max RSS 3.3 GB, 290 MB of module zips, ~4 GB of Go caches).
#
# Usage: scripts/install-prometheus.sh [--force-build] [--print-root]
# Env: PLATFORM_PROMETHEUS_CACHE (default .cache/prometheus), PLATFORM_PROMETHEUS_NICE (default 10).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPERS="$REPO_ROOT/scripts/prometheus"
CACHE_ROOT="${PLATFORM_PROMETHEUS_CACHE:-$REPO_ROOT/.cache/prometheus}"
NICE="${PLATFORM_PROMETHEUS_NICE:-10}"
FORCE_BUILD=0
PRINT_ROOT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force-build) FORCE_BUILD=1; shift ;;
    --print-root) PRINT_ROOT=1; shift ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install-prometheus: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# Progress goes to stderr so that --print-root leaves only the root on stdout.
log() { echo "[prometheus] $*" >&2; }
die() { echo "[prometheus] ERROR: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed; install Go >= 1.26 (the wrapper modules need it)"
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0

required() { # required <wrapper> <module>: the version the wrapper's go.mod requires
  local v
  v="$(sed -n "s|^require $2 \(v[^ ]*\)\$|\1|p; s|^	$2 \(v[^ ]*\)\$|\1|p" "$WRAPPERS/$1/go.mod" | head -1)"
  [ -n "$v" ] || die "scripts/prometheus/$1/go.mod does not require $2"
  echo "$v"
}
PROM_MODULE="$(required prometheus github.com/prometheus/prometheus)"
AM_VERSION="$(required alertmanager github.com/prometheus/alertmanager)"
# Prometheus 3.x publishes its Go module as v0.3XY.Z for release 3.XY.Z.
PROM_APP="$(sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/' <<<"$PROM_MODULE")"
[[ "$PROM_APP" =~ ^3\.[0-9]+\.[0-9]+$ ]] || die "cannot derive the Prometheus release from module version $PROM_MODULE"
KEY="prometheus-${PROM_APP}_alertmanager-${AM_VERSION#v}"
OUT="$CACHE_ROOT/$KEY"
BIN="$OUT/bin"
mkdir -p "$BIN"
log "versions: prometheus $PROM_APP (module $PROM_MODULE), alertmanager ${AM_VERSION#v}"
log "cache: $OUT"

T0=$(date +%s)
STEPS=()
ldflags() { # ldflags <version>
  echo "-s -w -X github.com/prometheus/common/version.Version=$1 -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildUser=platform"
}
fresh() { # fresh <step> <stamp> <binaries...>
  local step=$1 stamp=$2; shift 2
  [ "$FORCE_BUILD" = 0 ] && [ "$(cat "$BIN/STAMP-$step" 2>/dev/null)" = "$stamp" ] || return 1
  for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
}
reports() { # reports <binary> <version>: `<binary> --version` names the version
  "$BIN/$1" --version 2>&1 | head -1 | grep -q "version $2 " || die "$BIN/$1 --version says '$("$BIN/$1" --version 2>&1 | head -1)', expected version $2"
}
build() { # build <step> <version> <module> <binaries...>
  local step=$1 ver=$2 mod=$3; shift 3
  if fresh "$step" "$ver" "$@"; then log "$step $ver: up to date"; STEPS+=("$step=cached"); return 0; fi
  local t=$(date +%s) pkgs=()
  for b in "$@"; do pkgs+=("$mod/cmd/$b"); done
  log "$step $ver: go build ${pkgs[*]} (cold: downloads modules first)..."
  (cd "$WRAPPERS/$step" && nice -n "$NICE" go build -trimpath -ldflags "$(ldflags "$ver")" -o "$BIN/" "${pkgs[@]}") ||
    die "go build of $step $ver failed (wrapper scripts/prometheus/$step)"
  for b in "$@"; do reports "$b" "$ver"; done
  echo "$ver" >"$BIN/STAMP-$step"
  local secs=$(( $(date +%s) - t ))
  STEPS+=("$step=${secs}s")
  log "$step: done in ${secs}s"
}

build alertmanager "${AM_VERSION#v}" github.com/prometheus/alertmanager alertmanager amtool
build prometheus "$PROM_APP" github.com/prometheus/prometheus prometheus promtool

OPERATOR_VERSION="$(required operator-crds github.com/prometheus-operator/prometheus-operator)"
CRDS="$OUT/crds/prometheus-operator"
if [ "$FORCE_BUILD" = 0 ] && [ "$(cat "$CRDS/STAMP" 2>/dev/null)" = "$OPERATOR_VERSION" ]; then
  log "prometheus-operator CRDs $OPERATOR_VERSION: up to date"
else
  t=$(date +%s)
  SRC="$(cd "$WRAPPERS/operator-crds" && go mod download -json github.com/prometheus-operator/prometheus-operator | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [ -d "$SRC/example/prometheus-operator-crd" ] || die "go mod download of github.com/prometheus-operator/prometheus-operator@$OPERATOR_VERSION gave no example/prometheus-operator-crd"
  rm -rf "$CRDS"; mkdir -p "$CRDS"
  cp "$SRC"/example/prometheus-operator-crd/monitoring.coreos.com_*.yaml "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
  echo "$OPERATOR_VERSION" >"$CRDS/STAMP"
  log "prometheus-operator CRDs $OPERATOR_VERSION: $(ls "$CRDS"/*.yaml | wc -l) files in $(( $(date +%s) - t ))s"
fi

END=$(date +%s)
{
  echo "key=$KEY"
  echo "go_version=$(go env GOVERSION)"
  echo "finished_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "steps=${STEPS[*]}"
  echo "total_seconds=$((END - T0))"
  for b in prometheus promtool alertmanager amtool; do echo "${b}_bytes=$(stat -c %s "$BIN/$b")"; done
} >"$OUT/BUILD-INFO.tmp"
# Keep the BUILD-INFO of the run that built something; a fully cached run only reports.
if [ "${STEPS[*]}" != "alertmanager=cached prometheus=cached" ]; then
  mv "$OUT/BUILD-INFO.tmp" "$OUT/BUILD-INFO"
else
  rm -f "$OUT/BUILD-INFO.tmp"
fi
log "done in $((END - T0))s (${STEPS[*]}): $(ls "$BIN" | grep -v STAMP | tr '\n' ' ')"
[ "$PRINT_ROOT" = 1 ] && echo "$OUT"
exit 0
