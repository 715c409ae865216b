/**
 * The services phase 7 watches, with their objectives: the service list (phase 5's SERVICES until
 * the shared service module exists) in the env's application namespace, each with the default
 * objectives unless the list gives its own. Pure.
 */
import { PlatformError } from '../../src/core/errors.js';
import { SERVICES } from '../05-apps/phase.js';
import { DEFAULT_SLO, type ServiceSlo } from './rules.js';

/** The services with objectives, in the namespace phase 5 runs them in for `envName`. */
export function sloServices(appNamespaces: Record<string, string>, envName: string): ServiceSlo[] {
  const namespace = appNamespaces[envName];
  if (namespace === undefined) {
    throw new PlatformError('dependency-check', `phase 5 output 'appNamespaces' has no namespace for env ${envName}`, {
      value: `appNamespaces.${envName}`,
      hint: `re-run phase 5 so its outputs name the env's namespace: platform up --phase 5 --env ${envName}`,
    });
  }
  return SERVICES.map((name) => ({ name, namespace, ...DEFAULT_SLO }));
}
