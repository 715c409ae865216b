#!/usr/bin/env bash
# install-pulumi-engine.sh: build the Pulumi engine from its published Go modules.
#
# Algorithm:
#   1. Target version = @pulumi/pulumi in package-lock.json (or --version / PLATFORM_PULUMI_ENGINE_VERSION).
#   2. Skip when a compatible `pulumi` is already on PATH (same major, >= target) unless --force-build.
#   3. Skip when .cache/pulumi-engine/v<ver>/bin/pulumi already reports v<ver> and the launcher is there.
#   4. If the module proxy does not serve pkg/v3@v<ver>, fail with the newest version it does serve,
#      or (only with --allow-nearest) build that version instead, loudly, recording it in BUILD-INFO.
#   5. Copy our wrapper module (scripts/pulumi-engine/: requires pkg/v3 + sdk/v3 at one version) into a
#      build folder, pin both modules to v<ver>, repeat the non-local `replace` lines of that version's
#      pkg/go.mod, tidy, and `go build` the CLI with the version stamped through -ldflags.
#   6. Try the nested Node language host module (no tags of its own) at a pseudo-version of the release
#      commit; when the proxy cannot serve it, say so (inline Automation API programs do not need it).
#   7. Install our dynamic-provider launcher (scripts/pulumi-engine/pulumi-resource-pulumi-nodejs: it
#      execs node with a parent watch, so providers die with a killed engine) and copy the analyzer
#      launcher from the sdk/v3 module's nodejs/dist/ into bin/. A cached build gets our launcher too.
#   8. Write BUILD-INFO (versions, times, sizes) and print a summary.
#
# Usage: scripts/install-pulumi-engine.sh [--version X.Y.Z] [--allow-nearest] [--force-build] [--print-root]
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPER_DIR="$REPO_ROOT/scripts/pulumi-engine"
CACHE_ROOT="${PLATFORM_PULUMI_CACHE:-$REPO_ROOT/.cache/pulumi-engine}"
PKG=github.com/pulumi/pulumi/pkg/v3
SDK=github.com/pulumi/pulumi/sdk/v3
LANGHOST=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3

VERSION="${PLATFORM_PULUMI_ENGINE_VERSION:-}"
ALLOW_NEAREST="${PLATFORM_PULUMI_ENGINE_ALLOW_NEAREST:-0}"
FORCE_BUILD=0
PRINT_ROOT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION="${2#v}"; shift 2 ;;
    --allow-nearest) ALLOW_NEAREST=1; shift ;;
    --force-build) FORCE_BUILD=1; shift ;;
    --print-root) PRINT_ROOT=1; shift ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "install-pulumi-engine: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "[pulumi-engine] $*"; }
die() { echo "[pulumi-engine] ERROR: $*" >&2; exit 1; }

LOCK_VERSION="$(sed -n '/"node_modules\/@pulumi\/pulumi": {/,/}/ s/.*"version": "\([^"]*\)".*/\1/p' "$REPO_ROOT/package-lock.json" | head -1)"
[ -n "$LOCK_VERSION" ] || die "could not read the @pulumi/pulumi version from $REPO_ROOT/package-lock.json"
VERSION="${VERSION:-$LOCK_VERSION}"
log "@pulumi/pulumi in package-lock.json: $LOCK_VERSION; target engine: v$VERSION"

# semver compare: returns 0 when $1 >= $2 (X.Y.Z only).
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]; }

# 2. A compatible pulumi already on PATH.
if [ "$FORCE_BUILD" = 0 ] && command -v pulumi >/dev/null 2>&1; then
  ON_PATH="$(pulumi version 2>/dev/null | sed 's/^v//' || true)"
  if [ -n "$ON_PATH" ] && [ "${ON_PATH%%.*}" = "${VERSION%%.*}" ] && ver_ge "$ON_PATH" "$VERSION"; then
    log "skipped: compatible pulumi v$ON_PATH already on PATH at $(command -v pulumi)"
    [ "$PRINT_ROOT" = 1 ] && dirname "$(dirname "$(command -v pulumi)")"
    exit 0
  fi
  log "pulumi on PATH reports '${ON_PATH:-?}', not compatible with v$VERSION: building our own"
fi

command -v go >/dev/null 2>&1 || die "Go is not installed; install Go >= 1.25 or install the Pulumi CLI (https://www.pulumi.com/docs/install/)"
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
# sum.golang.org is not reachable here: integrity comes from the committed go.sum of the wrapper module.
export GONOSUMDB="${GONOSUMDB:-github.com/pulumi/*}" GOSUMDB="${GOSUMDB_OVERRIDE:-off}"

served() { # served <module> <version>: is the module zip downloadable?
  local out
  out="$(cd "$TMPD" && go mod download -json "$1@$2" 2>/dev/null || true)"
  ! grep -q '"Error"' <<<"$out" && grep -q '"Zip"' <<<"$out"
}
TMPD="$(mktemp -d)"; trap 'rm -rf "$TMPD"' EXIT
printf 'module probe\n\ngo 1.25\n' >"$TMPD/go.mod"

OUR_LAUNCHER="$WRAPPER_DIR/pulumi-resource-pulumi-nodejs"
install_launcher() { # install_launcher <bin dir>: ours, unless it is already there
  if ! cmp -s "$OUR_LAUNCHER" "$1/pulumi-resource-pulumi-nodejs"; then
    install -m 0755 "$OUR_LAUNCHER" "$1/pulumi-resource-pulumi-nodejs"
    log "launcher: pulumi-resource-pulumi-nodejs installed from scripts/pulumi-engine/ (exec + parent watch)"
  fi
}

cached_ok() { # cached_ok <version>
  local bin="$CACHE_ROOT/v$1/bin"
  [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-resource-pulumi-nodejs" ] &&
    [ "$(PULUMI_SKIP_UPDATE_CHECK=true PULUMI_HOME="$CACHE_ROOT/home" "$bin/pulumi" version 2>/dev/null)" = "v$1" ]
}

# 3. Already built (also for a previously chosen nearest version).
for CANDIDATE in "$VERSION" $(cat "$CACHE_ROOT/CHOSEN-v$VERSION" 2>/dev/null || true); do
  if [ "$FORCE_BUILD" = 0 ] && cached_ok "$CANDIDATE"; then
    install_launcher "$CACHE_ROOT/v$CANDIDATE/bin"
    log "up to date: $CACHE_ROOT/v$CANDIDATE/bin/pulumi reports v$CANDIDATE"
    [ "$PRINT_ROOT" = 1 ] && echo "$CACHE_ROOT/v$CANDIDATE"
    exit 0
  fi
done

# 4. Version availability on the module proxy.
BUILD_VERSION="$VERSION"
if ! served "$PKG" "v$VERSION" || ! served "$SDK" "v$VERSION"; then
  LISTED="$(cd "$TMPD" && go list -m -versions "$PKG" 2>/dev/null || true)"
  NEAREST=""
  for v in $(tr ' ' '\n' <<<"$LISTED" | sed -n 's/^v\(3\.[0-9]*\.[0-9]*\)$/\1/p' | sort -V -r); do
    if ver_ge "$VERSION" "$v"; then NEAREST="$v"; break; fi
  done
  if [ "$ALLOW_NEAREST" != 1 ]; then
    die "the Go module proxy ($(go env GOPROXY)) does not serve $PKG@v$VERSION.
  Newest older version it lists: ${NEAREST:-none}.
  Re-run with --allow-nearest to build v${NEAREST:-?} (same major; the Automation API accepts it), or install the Pulumi CLI v$VERSION."
  fi
  [ -n "$NEAREST" ] && served "$PKG" "v$NEAREST" && served "$SDK" "v$NEAREST" || die "no older v3 release of $PKG is served either"
  echo "[pulumi-engine] WARNING: v$VERSION is not served by the module proxy; building v$NEAREST instead (--allow-nearest)." >&2
  BUILD_VERSION="$NEAREST"
  mkdir -p "$CACHE_ROOT"; echo "$NEAREST" >"$CACHE_ROOT/CHOSEN-v$VERSION"
  if [ "$FORCE_BUILD" = 0 ] && cached_ok "$BUILD_VERSION"; then
    install_launcher "$CACHE_ROOT/v$BUILD_VERSION/bin"
    log "up to date: $CACHE_ROOT/v$BUILD_VERSION/bin/pulumi reports v$BUILD_VERSION"
    [ "$PRINT_ROOT" = 1 ] && echo "$CACHE_ROOT/v$BUILD_VERSION"
    exit 0
  fi
fi

OUT="$CACHE_ROOT/v$BUILD_VERSION"
BIN="$OUT/bin"
BUILD_DIR="$CACHE_ROOT/build-v$BUILD_VERSION"
mkdir -p "$BIN" "$BUILD_DIR"
START=$(date +%s)

# 5. Wrapper module pinned to the build version, with the fork replaces of that version's pkg/go.mod.
cp "$WRAPPER_DIR/go.mod" "$WRAPPER_DIR/tools.go" "$BUILD_DIR/"
[ -f "$WRAPPER_DIR/go.sum" ] && cp "$WRAPPER_DIR/go.sum" "$BUILD_DIR/"
cd "$BUILD_DIR"
go mod edit -require="$PKG@v$BUILD_VERSION" -require="$SDK@v$BUILD_VERSION"
PKG_MOD="$(cd "$TMPD" && go mod download -json "$PKG@v$BUILD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
while read -r from to ver; do
  [ -n "$ver" ] || continue
  log "replace $from => $to $ver (from pkg/go.mod)"
  go mod edit -replace="$from=$to@$ver"
done < <(sed -n 's/^replace \([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$/\1 \2 \3/p; /^replace (/,/^)/ s/^\t\([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$/\1 \2 \3/p' "$PKG_MOD")
log "resolving modules (first run downloads a few hundred MB)..."
go mod tidy
log "compiling pulumi v$BUILD_VERSION (first run: many minutes on 2 cores)..."
# The version variable moved between releases (pkg/v3/version, now sdk/v3/go/common/version): stamp
# both; -X on a symbol a release does not have is ignored, and the check below proves the result.
STAMP="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$BUILD_VERSION -X github.com/pulumi/pulumi/pkg/v3/version.Version=v$BUILD_VERSION"
go build -trimpath -ldflags "-s -w $STAMP" -o "$BIN/pulumi" "$PKG/cmd/pulumi"
CLI_DONE=$(date +%s)

# 6. The nested Node language host (only needed for non-inline programs).
LANGHOST_NOTE="not built"
SDK_INFO="$(cd "$TMPD" && go mod download -json "$SDK@v$BUILD_VERSION" | sed -n 's/.*"Info": "\(.*\)".*/\1/p')"
COMMIT="${PLATFORM_PULUMI_RELEASE_COMMIT:-$(sed -n 's/.*"Hash": *"\([0-9a-f]*\)".*/\1/p' "$SDK_INFO" | head -1)}"
if [ -z "$COMMIT" ]; then
  LANGHOST_NOTE="skipped: the module proxy's .info for $SDK@v$BUILD_VERSION names no commit (set PLATFORM_PULUMI_RELEASE_COMMIT)"
elif ! LH_VER="$(cd "$TMPD" && go list -m -f '{{.Version}}' "$LANGHOST@$COMMIT" 2>/dev/null)"; then
  LANGHOST_NOTE="skipped: the module proxy does not serve $LANGHOST@$COMMIT"
else
  LHDIR="$CACHE_ROOT/build-langhost-v$BUILD_VERSION"; mkdir -p "$LHDIR"
  cat >"$LHDIR/go.mod" <<EOF
module platform.local/pulumi-language-nodejs

go 1.25

require $LANGHOST $LH_VER
EOF
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$LANGHOST" >"$LHDIR/tools.go"
  (cd "$LHDIR" && go mod edit -require="$PKG@v$BUILD_VERSION" -require="$SDK@v$BUILD_VERSION" && go mod tidy &&
    go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$BUILD_VERSION" -o "$BIN/pulumi-language-nodejs" "$LANGHOST")
  LANGHOST_NOTE="built from $LANGHOST@$LH_VER"
fi
[ "$LANGHOST_NOTE" = "not built" ] || log "language host: $LANGHOST_NOTE"

# 7. Launchers: ours for dynamic providers, the analyzer's from the sdk/v3 module zip.
install_launcher "$BIN"
SDK_DIR="$(cd "$TMPD" && go mod download -json "$SDK@v$BUILD_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
for launcher in pulumi-analyzer-policy; do
  if [ -f "$SDK_DIR/nodejs/dist/$launcher" ]; then
    install -m 0755 "$SDK_DIR/nodejs/dist/$launcher" "$BIN/$launcher"
    log "launcher: $launcher copied from $SDK@v$BUILD_VERSION/nodejs/dist"
  else
    log "launcher: $launcher not shipped in $SDK@v$BUILD_VERSION/nodejs/dist (only needed for policy packs)"
  fi
done
[ -x "$BIN/pulumi-resource-pulumi-nodejs" ] || die "pulumi-resource-pulumi-nodejs launcher missing from $SDK_DIR/nodejs/dist"

# 8. Verify and record.
STAMPED="$(PULUMI_SKIP_UPDATE_CHECK=true PULUMI_HOME="$CACHE_ROOT/home" "$BIN/pulumi" version)"
[ "$STAMPED" = "v$BUILD_VERSION" ] || die "built pulumi reports '$STAMPED', expected v$BUILD_VERSION"
END=$(date +%s)
SIZE_CLI=$(stat -c %s "$BIN/pulumi")
cat >"$OUT/BUILD-INFO" <<EOF
engine_version=v$BUILD_VERSION
lockfile_sdk_version=v$LOCK_VERSION
go_version=$(go env GOVERSION)
built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cli_build_seconds=$((CLI_DONE - START))
total_seconds=$((END - START))
pulumi_bytes=$SIZE_CLI
language_host=$LANGHOST_NOTE
EOF
log "done in $((END - START))s: $BIN/pulumi $STAMPED ($((SIZE_CLI / 1048576)) MiB)"
log "use it with: PLATFORM_PULUMI_ROOT=$OUT (the adapter also finds it in .cache automatically)"
[ "$PRINT_ROOT" = 1 ] && echo "$OUT"
exit 0
