/**
 * The charts phase 3 installs, pinned in the one chart lock (programs/02-cluster/charts.lock.yaml).
 */
import { chartLock, pinOf, type LockedPin } from '../shared/chart-lock.js';

export const GITOPS_CHART_KEYS = ['argoCd', 'argoRollouts'] as const;
export type GitopsChartKey = (typeof GITOPS_CHART_KEYS)[number];

/** The pin of one phase-3 chart, from the lock; throws when the lock has no entry for it. */
export function gitopsChartPin(key: GitopsChartKey): LockedPin {
  const entry = chartLock().charts[key];
  if (!entry) throw new Error(`charts.lock.yaml has no entry '${key}': add it with its repository, version and digest`);
  return pinOf(entry);
}
