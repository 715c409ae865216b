/**
 * The services phase 7 watches, with their objectives: the service list (programs/shared/services.ts)
 * in the env's application namespace, each with the default objectives (the list carries none). Pure.
 */
import { PlatformError } from '../../src/core/errors.js';
import { SERVICES, type ServiceSpec } from '../shared/services.js';
import { DEFAULT_SLO, type ServiceSlo } from './rules.js';

/** The services with objectives, in the namespace phase 5 runs them in for `envName`. */
export function sloServices(appNamespaces: Record<string, string>, envName: string, services: readonly ServiceSpec[] = SERVICES): ServiceSlo[] {
  const namespace = appNamespaces[envName];
  if (namespace === undefined) {
    throw new PlatformError('dependency-check', `phase 5 output 'appNamespaces' has no namespace for env ${envName}`, {
      value: `appNamespaces.${envName}`,
      hint: `re-run phase 5 so its outputs name the env's namespace: platform up --phase 5 --env ${envName}`,
    });
  }
  return services.map((s) => ({ name: s.name, namespace, ...DEFAULT_SLO }));
}
