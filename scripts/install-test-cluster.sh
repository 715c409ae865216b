#!/usr/bin/env bash
# install-test-cluster.sh: build a real Kubernetes control plane for the tests from Go modules, and
# fetch the charts and CRDs the test suites apply to it.
#
# Algorithm:
#   1. Versions come from the wrapper modules in scripts/test-cluster/<name>/go.mod (one place):
#      k8s.io/kubernetes, go.etcd.io/etcd/server/v3, sigs.k8s.io/kwok, helm.sh/helm/v3. The cache
#      folder is named after them: .cache/test-cluster/k8s-<v>_etcd-<v>_kwok-<v>_helm-<v>/.
#   2. Each step is skipped when its outputs are present and stamped with the same versions
#      (bin/STAMP-<step>); --force-build rebuilds everything.
#   3. kubernetes: ONE `go build` of kube-apiserver, kube-controller-manager and kube-scheduler
#      (they share most packages; kubectl is not built: no suite uses it, and its own packages cost
#      cold build time), version stamped through -ldflags. Then etcd (our main over
#      etcdmain), kwok and helm, each from its wrapper module with -mod=readonly: the committed go.sum
#      is the integrity check (sum.golang.org is not reachable here).
#   4. Sources: every chart and CRD folder listed in SOURCES below is downloaded as a Go module
#      (`go mod download`, never committed), its hash checked against scripts/test-cluster/sources.sum,
#      copied into sources/<name>, placeholder chart versions patched where the upstream release
#      tooling fills them later, and recorded with module@version and path in sources.json.
#   5. Prints each step with its wall time and binary sizes, and writes BUILD-INFO.
#
#   6. With --with-pulumi-kubernetes: pulumi-resource-kubernetes from scripts/test-cluster/pulumi-kubernetes
#      (our main embedding the provider module's schema.json), stamped with the @pulumi/kubernetes
#      version of package-lock.json so the engine matches it to the SDK (~4 GB more build cache).
#
# Usage: scripts/install-test-cluster.sh [--force-build] [--print-root] [--no-sources] [--with-pulumi-kubernetes]
# Env: PLATFORM_TEST_CLUSTER_CACHE (default .cache/test-cluster), PLATFORM_TEST_CLUSTER_NICE (default 10).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPERS="$REPO_ROOT/scripts/test-cluster"
CACHE_ROOT="${PLATFORM_TEST_CLUSTER_CACHE:-$REPO_ROOT/.cache/test-cluster}"
NICE="${PLATFORM_TEST_CLUSTER_NICE:-10}"
FORCE_BUILD=0
PRINT_ROOT=0
WITH_SOURCES=1
WITH_PULUMI_K8S=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force-build) FORCE_BUILD=1; shift ;;
    --print-root) PRINT_ROOT=1; shift ;;
    --no-sources) WITH_SOURCES=0; shift ;;
    --with-pulumi-kubernetes) WITH_PULUMI_K8S=1; shift ;;
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install-test-cluster: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# Progress goes to stderr so that --print-root leaves only the root on stdout.
log() { echo "[test-cluster] $*" >&2; }
die() { echo "[test-cluster] ERROR: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed; install Go >= 1.26 (the wrappers need it)"
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" GOSUMDB=off

required() { # required <wrapper> <module>: the version the wrapper's go.mod requires
  local v
  v="$(sed -n "s|^require $2 \(v[^ ]*\)\$|\1|p; s|^	$2 \(v[^ ]*\)\$|\1|p" "$WRAPPERS/$1/go.mod" | head -1)"
  [ -n "$v" ] || die "scripts/test-cluster/$1/go.mod does not require $2"
  echo "$v"
}
K8S_VERSION="$(required kubernetes k8s.io/kubernetes)"
ETCD_VERSION="$(required etcd go.etcd.io/etcd/server/v3)"
KWOK_VERSION="$(required kwok sigs.k8s.io/kwok)"
HELM_VERSION="$(required helm helm.sh/helm/v3)"
KEY="k8s-${K8S_VERSION#v}_etcd-${ETCD_VERSION#v}_kwok-${KWOK_VERSION#v}_helm-${HELM_VERSION#v}"
OUT="$CACHE_ROOT/$KEY"
BIN="$OUT/bin"
mkdir -p "$BIN"
log "versions: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION"
log "cache: $OUT"

T0=$(date +%s)
STEPS=()
step_done() { # step_done <name> <start>
  local secs=$(( $(date +%s) - $2 ))
  STEPS+=("$1=${secs}s")
  log "$1: done in ${secs}s"
}
fresh() { # fresh <step> <stamp> <binaries...>: the step's outputs exist with this stamp
  local step=$1 stamp=$2; shift 2
  [ "$FORCE_BUILD" = 0 ] || return 1
  [ "$(cat "$BIN/STAMP-$step" 2>/dev/null)" = "$stamp" ] || return 1
  local b; for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
}
size_of() { local b; for b in "$@"; do printf '%s=%sMiB ' "$b" $(( $(stat -c %s "$BIN/$b") / 1048576 )); done; }

# 3a. kubernetes (3 binaries, one build).
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler)
if fresh kubernetes "$K8S_VERSION" "${K8S_BINS[@]}"; then
  log "kubernetes $K8S_VERSION: up to date ($(size_of "${K8S_BINS[@]}"))"
else
  S=$(date +%s)
  MINOR="$(cut -d. -f2 <<<"$K8S_VERSION")"
  LDF="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  LDF="$LDF -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR"
  LDF="$LDF -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  log "kubernetes $K8S_VERSION: one go build of ${K8S_BINS[*]} (cold: many minutes on 2 cores)..."
  (cd "$WRAPPERS/kubernetes" && nice -n "$NICE" go build -trimpath -ldflags "$LDF" -o "$BIN/" \
    $(printf 'k8s.io/kubernetes/cmd/%s ' "${K8S_BINS[@]}"))
  got="$("$BIN/kube-apiserver" --version)"
  [ "$got" = "Kubernetes $K8S_VERSION" ] || die "built kube-apiserver reports '$got', expected Kubernetes $K8S_VERSION"
  echo "$K8S_VERSION" >"$BIN/STAMP-kubernetes"
  step_done kubernetes "$S"
  log "  sizes: $(size_of "${K8S_BINS[@]}")"
fi

# 3b. etcd, kwok, helm: one wrapper module each.
build_one() { # build_one <step> <binary> <version> <package> [ldflags]
  local step=$1 bin=$2 ver=$3 pkg=$4 ldf="-s -w ${5:-}"
  if fresh "$step" "$ver" "$bin"; then
    log "$step $ver: up to date ($(size_of "$bin"))"
    return
  fi
  local s; s=$(date +%s)
  log "$step $ver: go build $pkg..."
  (cd "$WRAPPERS/$step" && nice -n "$NICE" go build -trimpath -ldflags "$ldf" -o "$BIN/$bin" "$pkg")
  echo "$ver" >"$BIN/STAMP-$step"
  step_done "$step" "$s"
  log "  size: $(size_of "$bin")"
}
build_one etcd etcd "$ETCD_VERSION" .
build_one kwok kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
build_one helm helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
# (Outputs captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail.)
got="$("$BIN/etcd" --version)"; grep -q "^etcd Version: ${ETCD_VERSION#v}\$" <<<"$got" || die "built etcd reports '${got%%$'\n'*}', expected ${ETCD_VERSION#v}"
got="$("$BIN/helm" version --template '{{.Version}}')"; [ "$got" = "$HELM_VERSION" ] || die "built helm reports '$got', expected $HELM_VERSION"
got="$("$BIN/kwok" --version 2>&1 || true)"; grep -q "${KWOK_VERSION#v}" <<<"$got" || die "built kwok reports '$got', expected ${KWOK_VERSION#v}"

# 4. Charts and CRDs from the upstream projects' own Go modules at the pinned release.
# kind name module version path chartVersion appVersion match note
# (match: exact = the pinned release's own tag; tag-stale-metadata = the pinned tag with version fields
#  their release tooling fills later; branch = the release branch, the project has no semver module tags;
#  older = an older release than the pin; newest = no pin in the project yet, the newest the proxy serves)
SOURCES="$(cat <<'EOF'
chart cert-manager github.com/cert-manager/cert-manager v1.21.1 deploy/charts/cert-manager v1.21.1 v1.21.1 exact Chart.yaml has v0.0.0 placeholders (set by their release tool); set to the tag
chart external-dns sigs.k8s.io/external-dns v0.22.0 charts/external-dns 1.21.1 0.21.0 exact -
chart karpenter github.com/aws/karpenter-provider-aws v1.14.1 charts/karpenter 1.14.1 1.14.1 tag-stale-metadata Chart.yaml and the controller image tag say 1.13.0 at the v1.14.1 tag; set to 1.14.1 and the 1.13.0 image digest dropped
chart base istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 manifests/charts/base 1.30.4 1.30.4 branch release-1.30 branch head of 2026-08-26 (one day before 1.30.4); Chart.yaml 1.0.0 placeholders set, global.hub/tag set to docker.io/istio 1.30.4
chart istiod istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 manifests/charts/istio-control/istio-discovery 1.30.4 1.30.4 branch as base
chart gateway istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 manifests/charts/gateway 1.30.4 1.30.4 branch as base
chart cni istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 manifests/charts/istio-cni 1.30.4 1.30.4 branch as base
chart metrics-server sigs.k8s.io/metrics-server v0.9.0 charts/metrics-server 3.13.1 0.8.1 exact -
crds cert-manager github.com/cert-manager/cert-manager v1.21.1 deploy/crds - - exact -
crds karpenter github.com/aws/karpenter-provider-aws v1.14.1 pkg/apis/crds - - exact -
crds istio istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 manifests/charts/base/files/crd-all.gen.yaml - - branch release-1.30 branch head of 2026-08-26
crds external-secrets github.com/external-secrets/external-secrets v0.16.2 deploy/crds/bundle.yaml - - older v0.16.2 is the newest release the module proxy serves whole; the project pins chart 2.10.0 (external-secrets.io/v1 is served by both)
crds external-snapshotter github.com/kubernetes-csi/external-snapshotter/client/v8 v8.7.0 config/crd - - exact -
crds argo-cd github.com/argoproj/argo-cd/v3 v3.4.4 manifests/crds - - exact Argo CD v3.4.4, the app of chart argo-cd 10.1.1 (phase 3)
crds argo-rollouts github.com/argoproj/argo-rollouts v1.9.0 manifests/crds - - exact Argo Rollouts v1.9.0, the app of chart argo-rollouts 2.41.0 (phase 3)
crds prometheus-operator github.com/prometheus-operator/prometheus-operator v0.93.1 example/prometheus-operator-crd - - exact the operator of kube-prometheus-stack 88.5.3; all 10 monitoring.coreos.com CRDs (ServiceMonitor for phase 3's service chart; PodMonitor, PrometheusRule, Alertmanager... for phase 7)
stages kwok sigs.k8s.io/kwok KWOK kustomize/stage - - exact kwok's own stage definitions (fake node, pod and volume lifecycles)
EOF
)"
# Charts the programs pin that no reachable registry serves (printed by the cluster suite too).
UNAVAILABLE="external-secrets: github.com/external-secrets/external-secrets is served whole only up to v0.16.2 (chart 0.16.1); v2.x cannot be a version of that module path
aws-load-balancer-controller: sigs.k8s.io/aws-load-balancer-controller is served only at v1.1.9 (2020, no chart)
kube-prometheus-stack: prometheus-community/helm-charts is not a Go module
loki: grafana-community/helm-charts is not a Go module (and Loki is AGPL: never built)
alloy: github.com/grafana/alloy is not served by the module proxy
argo-cd: argoproj/argo-helm is served only as pseudo-versions of its main branch (2026-09-04: argo-cd 10.8.0); the commit of the pinned chart release is not known here
argo-rollouts: argoproj/argo-helm is served only as pseudo-versions of its main branch (2026-09-04: argo-rollouts 2.43.0); the commit of the pinned chart release is not known here"

if [ "$WITH_SOURCES" = 1 ]; then
  S=$(date +%s)
  SRC="$OUT/sources"
  STAMP_SOURCES="$(sha256sum <<<"$SOURCES$UNAVAILABLE$KWOK_VERSION" | cut -c1-16)"
  if [ "$FORCE_BUILD" = 0 ] && [ "$(cat "$OUT/STAMP-sources" 2>/dev/null)" = "$STAMP_SOURCES" ] && [ -f "$OUT/sources.json" ]; then
    log "sources: up to date ($(grep -c '"name"' "$OUT/sources.json") entries in sources.json)"
  else
    rm -rf "$SRC" "$OUT/sources.json"; mkdir -p "$SRC"
    TMPD="$(mktemp -d)"; trap 'rm -rf "$TMPD"' EXIT
    printf 'module probe\n\ngo 1.25\n' >"$TMPD/go.mod"
    declare -A DIRS=()
    json="["
    sep=""
    while read -r kind name module version path chartv appv match note; do
      [ "$version" = KWOK ] && version="$KWOK_VERSION"
      mv="$module@$version"
      if [ -z "${DIRS[$mv]:-}" ]; then
        s1=$(date +%s.%N)
        # A module whose go.mod needs a newer Go than this one (argo-cd v3.6: go >= 1.27) is downloaded
        # and hashed, but `go mod download` refuses to extract it: read its zip instead.
        newer_go=0
        dl="$(cd "$TMPD" && GOFLAGS=-mod=mod go mod download -json "$mv" 2>&1)" || {
          grep -q '"Error": "[^"]*requires go \\u003e=' <<<"$dl" && grep -q '"Zip": ' <<<"$dl" || die "go mod download $mv failed: $(grep -o '"Error": "[^"]*"' <<<"$dl")"
          newer_go=1
        }
        sum="$(sed -n 's/.*"Sum": "\([^"]*\)".*/\1/p' <<<"$dl")"
        want="$(awk -v m="$module" -v v="$version" '$1 == m && $2 == v { print $3 }' "$WRAPPERS/sources.sum")"
        [ -n "$want" ] || die "$mv has no line in scripts/test-cluster/sources.sum (add: $module $version $sum)"
        [ "$sum" = "$want" ] || die "$mv hashes to $sum, scripts/test-cluster/sources.sum says $want"
        if [ "$newer_go" = 1 ]; then
          zip="$(sed -n 's/.*"Zip": "\([^"]*\)".*/\1/p' <<<"$dl")"
          mkdir -p "$TMPD/unzipped"
          python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$TMPD/unzipped" || die "could not unzip $zip"
          DIRS[$mv]="$TMPD/unzipped/$mv"
        else
          DIRS[$mv]="$(sed -n 's/.*"Dir": "\([^"]*\)".*/\1/p' <<<"$dl")"
        fi
        log "  downloaded $mv ($(printf '%.1f' "$(echo "$(date +%s.%N) - $s1" | bc)")s, $sum)"
      fi
      from="${DIRS[$mv]}/$path"
      [ -e "$from" ] || die "$mv has no $path"
      dest="$SRC/$kind/$name"
      mkdir -p "$(dirname "$dest")"
      if [ -d "$from" ]; then cp -r "$from" "$dest"; else mkdir -p "$dest" && cp "$from" "$dest/"; fi
      chmod -R u+w "$dest"
      if [ "$kind" = chart ]; then
        sed -i -e "s/^version:.*/version: $chartv/" -e "s/^appVersion:.*/appVersion: $appv/" "$dest/Chart.yaml"
        case "$name" in
          karpenter) sed -i -e "s/^\(    tag: \)1\.13\.0\$/\1$appv/" -e '/^    digest: sha256:/d' "$dest/values.yaml" ;;
          base|istiod|gateway|cni) sed -i -e 's|^\(    hub: \)registry.istio.io/testing$|\1docker.io/istio|' -e "s/^\(    tag: \)latest\$/\1$appv/" "$dest/values.yaml" ;;
        esac
      fi
      [ "$note" = - ] && note=""
      json="$json$sep
  {\"kind\": \"$kind\", \"name\": \"$name\", \"module\": \"$module\", \"version\": \"$version\", \"path\": \"$path\", \"dir\": \"sources/$kind/$name\", \"chartVersion\": \"${chartv#-}\", \"appVersion\": \"${appv#-}\", \"match\": \"$match\", \"note\": \"$note\"}"
      sep=","
    done <<<"$SOURCES"
    unavailable=""; usep=""
    while IFS= read -r line; do unavailable="$unavailable$usep\"$line\""; usep=", "; done <<<"$UNAVAILABLE"
    printf '{\n"sources": %s\n],\n"unavailable": [%s]\n}\n' "$json" "$unavailable" >"$OUT/sources.json"
    echo "$STAMP_SOURCES" >"$OUT/STAMP-sources"
    step_done sources "$S"
  fi
fi

# 6. The Pulumi Kubernetes provider plugin (opt-in).
if [ "$WITH_PULUMI_K8S" = 1 ]; then
  PK_VERSION="$(sed -n '/"node_modules\/@pulumi\/kubernetes": {/,/}/ s/.*"version": "\([^"]*\)".*/\1/p' "$REPO_ROOT/package-lock.json" | head -1)"
  [ -n "$PK_VERSION" ] || die "could not read the @pulumi/kubernetes version from package-lock.json"
  PK_MODULE="$(required pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)"
  PK_STAMP="$PK_VERSION@$PK_MODULE"
  if fresh pulumi-kubernetes "$PK_STAMP" pulumi-resource-kubernetes; then
    log "pulumi-resource-kubernetes $PK_VERSION: up to date ($(size_of pulumi-resource-kubernetes))"
  else
    S=$(date +%s)
    PK_BUILD="$CACHE_ROOT/build-pulumi-kubernetes"
    rm -rf "$PK_BUILD"; mkdir -p "$PK_BUILD"
    cp "$WRAPPERS/pulumi-kubernetes/go.mod" "$WRAPPERS/pulumi-kubernetes/go.sum" "$WRAPPERS/pulumi-kubernetes/main.go" "$PK_BUILD/"
    PK_DIR="$(cd "$PK_BUILD" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$PK_MODULE" | sed -n 's/.*"Dir": "\([^"]*\)".*/\1/p')"
    [ -d "$PK_DIR" ] || die "go mod download of the provider module $PK_MODULE failed"
    install -m 0644 "$PK_DIR/cmd/pulumi-resource-kubernetes/schema.json" "$PK_DIR/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$PK_BUILD/"
    log "pulumi-resource-kubernetes $PK_VERSION (provider module $PK_MODULE): go build (cold: ~10 min, ~4 GB build cache)..."
    (cd "$PK_BUILD" && nice -n "$NICE" go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PK_VERSION" -o "$BIN/pulumi-resource-kubernetes" .)
    echo "$PK_STAMP" >"$BIN/STAMP-pulumi-kubernetes"
    step_done pulumi-kubernetes "$S"
    log "  size: $(size_of pulumi-resource-kubernetes)"
  fi
fi

END=$(date +%s)
cat >"$OUT/BUILD-INFO" <<EOF
kubernetes=$K8S_VERSION
etcd=$ETCD_VERSION
kwok=$KWOK_VERSION
helm=$HELM_VERSION
go_version=$(go env GOVERSION)
finished_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
this_run_seconds=$((END - T0))
steps_built_this_run=${STEPS[*]:-none}
sizes=$(size_of "${K8S_BINS[@]}" etcd kwok helm)
EOF
log "done in $((END - T0))s (built: ${STEPS[*]:-nothing}); binaries in $BIN"
[ "$PRINT_ROOT" = 1 ] && echo "$OUT"
exit 0
