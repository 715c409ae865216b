#!/usr/bin/env bash
# Fetches every chart of programs/02-cluster/charts.lock.yaml at its pinned version into the chart
# cache that `platform check` renders from (.cache/charts/<chart>/<version>/, or $PLATFORM_CHART_CACHE):
# `helm pull` from the lock's repository (needs the network once), the packaged chart's sha256
# compared with the lock's digest where the lock has a repository-index digest, then unpacked.
# Idempotent: a chart already in the cache is skipped. Helm: $PLATFORM_HELM, else helm on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PLATFORM_CHART_CACHE:-$ROOT/.cache/charts}"
HELM="${PLATFORM_HELM:-$(command -v helm || true)}"
[ -n "$HELM" ] && [ -x "$HELM" ] || { echo "pull-charts: no Helm (set PLATFORM_HELM or put helm on PATH)" >&2; exit 2; }
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
export HELM_CACHE_HOME="$WORK/h" HELM_CONFIG_HOME="$WORK/h" HELM_DATA_HOME="$WORK/h"
# One line per lock entry: chart version repository digest digestSource (the lock parsed by the project's own loader).
(cd "$ROOT" && npx --no-install tsx -e "
import { chartLock } from './programs/shared/chart-lock.ts';
for (const e of Object.values(chartLock().charts)) console.log([e.chart, e.version, e.repository, e.digest ?? '-', e.digestSource].join(' '));
") >"$WORK/lock.txt"
failed=0
while read -r chart version repo digest source; do
  dest="$CACHE/$chart/$version"
  if [ -f "$dest/Chart.yaml" ]; then echo "pull-charts: $chart $version: in the cache"; continue; fi
  mkdir -p "$WORK/pkg"; rm -f "$WORK/pkg"/*
  if [[ "$repo" == oci://* ]]; then ref="$repo/$chart"; args=(); else ref="$chart"; args=(--repo "$repo"); fi
  if ! "$HELM" pull "$ref" "${args[@]}" --version "$version" --destination "$WORK/pkg" >/dev/null; then
    echo "pull-charts: $chart $version: helm pull from $repo FAILED" >&2; failed=1; continue
  fi
  tgz="$(ls "$WORK/pkg"/*.tgz)"
  if [ "$source" = repository-index ]; then
    got="sha256:$(sha256sum "$tgz" | cut -d' ' -f1)"
    [ "$got" = "$digest" ] || { echo "pull-charts: $chart $version: digest $got, the lock says $digest: NOT cached" >&2; failed=1; continue; }
  fi
  mkdir -p "$WORK/untar" "$dest"; rm -rf "$WORK/untar"/*
  tar -xzf "$tgz" -C "$WORK/untar"
  cp -r "$WORK/untar/$chart/." "$dest/"
  echo "pull-charts: $chart $version: cached in $dest ($source)"
done <"$WORK/lock.txt"
exit $failed
