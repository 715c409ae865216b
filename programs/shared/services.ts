/**
 * The services the platform delivers, as data. Every phase that does something per service reads
 * this list and nothing else: phase 3 (one Application per service and env), phase 5 (ECR
 * repositories, CI roles, mesh allow list), phase 6 (routes), phase 7 (dashboards) and phase 8
 * (autoscaling). The GitOps repository (`gitops/`) carries the same list for its ApplicationSets;
 * a test keeps the two equal.
 *
 * Adding a service is one entry here (plus its values file in `gitops/`, which the test demands).
 *
 * Rules (checked by `validateServices`, which runs on import of `SERVICES` and in the tests):
 * - names are DNS-1123 labels, unique, at most 30 characters (they become Kubernetes names,
 *   ECR repository names, IAM role names and Argo CD Application names `<svc>-<env>`);
 * - ports are 1024-65535 (the containers run as non-root), unique per service;
 * - `callers` name known services or `ingress-gateway`, never the service itself;
 * - routes: at most one service at the apex host with path `/`; API paths are unique under `api.`;
 *   a service with no route is reachable only in the mesh;
 * - scaling: 1 <= minReplicas <= maxReplicas, cpu target 1-100 %, request-rate target > 0.
 */
import { PlatformError } from '../../src/core/errors.js';

/** Who may call a service: another service, or the Istio ingress gateway (phase 6). */
export type Caller = string | typeof INGRESS_GATEWAY;
/** The caller name that stands for the ingress gateway in allow lists. */
export const INGRESS_GATEWAY = 'ingress-gateway';

/** Where a service is exposed by phase 6's gateway. */
export interface ServiceRoute {
  /** `apex`: `<domain>`; `api`: `api.<domain>`. */
  host: 'apex' | 'api';
  /** Path prefix, starting with `/`. */
  pathPrefix: string;
}

/** What a service connects to in phase 4's data layer (its ExternalSecret carries the credentials). */
export interface ServiceData {
  postgres: boolean;
  kafka: boolean;
}

/** Autoscaling settings (phase 8 creates the HPA from them; the service chart uses minReplicas). */
export interface ServiceScaling {
  minReplicas: number;
  maxReplicas: number;
  /** Target average CPU utilisation, percent of the request. */
  cpuTargetPercent: number;
  /** Target requests per second per pod (Prometheus adapter metric, phase 8). */
  requestsPerSecondTarget: number;
}

/** One service. */
export interface ServiceSpec {
  name: string;
  /** Container and Service port (HTTP). */
  port: number;
  /** ECR repository name, without the registry host. */
  imageRepository: string;
  scaling: ServiceScaling;
  /** Public route, or null when the service is reachable only inside the mesh. */
  route: ServiceRoute | null;
  /** Who may call it (the service-to-service allow list; everything else is denied). */
  callers: readonly Caller[];
  data: ServiceData;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REPO_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

const API = (pathPrefix: string): ServiceRoute => ({ host: 'api', pathPrefix });
const scaling = (minReplicas: number, maxReplicas: number, cpuTargetPercent = 70, requestsPerSecondTarget = 50): ServiceScaling => ({
  minReplicas,
  maxReplicas,
  cpuTargetPercent,
  requestsPerSecondTarget,
});

/** The services, in display order. */
export const SERVICES: readonly ServiceSpec[] = validateServices([
  {
    name: 'frontend',
    port: 8080,
    imageRepository: 'platform/frontend',
    scaling: scaling(2, 10, 70, 100),
    route: { host: 'apex', pathPrefix: '/' },
    callers: [INGRESS_GATEWAY],
    data: { postgres: false, kafka: false },
  },
  {
    name: 'auth',
    port: 8080,
    imageRepository: 'platform/auth',
    scaling: scaling(2, 6),
    route: API('/auth'),
    callers: [INGRESS_GATEWAY, 'frontend', 'cart', 'orders'],
    data: { postgres: true, kafka: false },
  },
  {
    name: 'catalog',
    port: 8080,
    imageRepository: 'platform/catalog',
    scaling: scaling(2, 10, 70, 100),
    route: API('/catalog'),
    callers: [INGRESS_GATEWAY, 'frontend', 'cart', 'orders'],
    data: { postgres: true, kafka: false },
  },
  {
    name: 'cart',
    port: 8080,
    imageRepository: 'platform/cart',
    scaling: scaling(2, 8),
    route: API('/cart'),
    callers: [INGRESS_GATEWAY, 'frontend', 'orders'],
    data: { postgres: true, kafka: false },
  },
  {
    name: 'orders',
    port: 8080,
    imageRepository: 'platform/orders',
    scaling: scaling(2, 8),
    route: API('/orders'),
    callers: [INGRESS_GATEWAY, 'frontend'],
    data: { postgres: true, kafka: true },
  },
  {
    name: 'payments',
    port: 8080,
    imageRepository: 'platform/payments',
    scaling: scaling(2, 6, 60, 30),
    route: null,
    callers: ['orders'],
    data: { postgres: true, kafka: true },
  },
  {
    name: 'notifications',
    port: 8080,
    imageRepository: 'platform/notifications',
    scaling: scaling(1, 4),
    route: null,
    callers: ['orders', 'payments'],
    data: { postgres: false, kafka: true },
  },
]);

/** The service names, in display order. */
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

/** The service called `name`; throws naming the known ones. */
export function service(name: string): ServiceSpec {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw invalid(name, `unknown service '${name}'`, `known services: ${SERVICE_NAMES.join(', ')}`);
  return found;
}

/** The services `name` may call (the allow list read from the callee side). */
export function callees(name: string, services: readonly ServiceSpec[] = SERVICES): string[] {
  return services.filter((s) => s.callers.includes(name)).map((s) => s.name);
}

/** The host of a route in an env: `<domain>` or `api.<domain>`. */
export function routeHost(route: ServiceRoute, domain: string): string {
  return route.host === 'apex' ? domain : `api.${domain}`;
}

/**
 * Checks the rules in the header and returns the list unchanged; throws a PlatformError
 * ('config-invalid') naming the service and the field at the first broken rule.
 */
export function validateServices(services: readonly ServiceSpec[]): readonly ServiceSpec[] {
  const names = new Set<string>();
  for (const s of services) {
    if (!NAME_RE.test(s.name) || s.name.length > 30) throw invalid(s.name, `service name '${s.name}' is not a DNS-1123 label of at most 30 characters`, 'use lower-case letters, digits and dashes');
    if (names.has(s.name)) throw invalid(s.name, `service '${s.name}' is listed twice`, 'each service appears once in programs/shared/services.ts');
    if (s.name === INGRESS_GATEWAY) throw invalid(s.name, `'${INGRESS_GATEWAY}' is reserved for the ingress gateway`, 'rename the service');
    names.add(s.name);
    if (!Number.isInteger(s.port) || s.port < 1024 || s.port > 65535) throw invalid(String(s.port), `service '${s.name}' port ${s.port} is not 1024-65535`, 'non-root containers listen on an unprivileged port');
    if (!REPO_RE.test(s.imageRepository) || s.imageRepository.length > 256) throw invalid(s.imageRepository, `service '${s.name}' image repository '${s.imageRepository}' is not a valid ECR repository name`, 'lower-case path segments separated by /');
    const { minReplicas, maxReplicas, cpuTargetPercent, requestsPerSecondTarget } = s.scaling;
    if (!Number.isInteger(minReplicas) || minReplicas < 1 || !Number.isInteger(maxReplicas) || maxReplicas < minReplicas) {
      throw invalid(`${minReplicas}..${maxReplicas}`, `service '${s.name}' scaling ${minReplicas}..${maxReplicas} is not 1 <= min <= max`, 'set whole numbers with minReplicas at least 1');
    }
    if (!(cpuTargetPercent >= 1 && cpuTargetPercent <= 100)) throw invalid(String(cpuTargetPercent), `service '${s.name}' cpuTargetPercent ${cpuTargetPercent} is not 1-100`, 'a percentage of the CPU request');
    if (!(requestsPerSecondTarget > 0)) throw invalid(String(requestsPerSecondTarget), `service '${s.name}' requestsPerSecondTarget must be positive`, 'requests per second per pod');
    if (s.route && !/^\/[a-z0-9/-]*$/.test(s.route.pathPrefix)) throw invalid(s.route.pathPrefix, `service '${s.name}' route path '${s.route.pathPrefix}' is not a path`, 'start with / and use a-z, 0-9, - and /');
  }
  const repos = new Set<string>();
  const routes = new Set<string>();
  for (const s of services) {
    if (repos.has(s.imageRepository)) throw invalid(s.imageRepository, `image repository '${s.imageRepository}' is used twice`, 'one repository per service');
    repos.add(s.imageRepository);
    if (s.route) {
      const key = `${s.route.host}${s.route.pathPrefix}`;
      if (routes.has(key)) throw invalid(key, `route ${s.route.host} ${s.route.pathPrefix} of '${s.name}' is taken by another service`, 'give each service its own path prefix');
      routes.add(key);
    }
    for (const caller of s.callers) {
      if (caller === s.name) throw invalid(caller, `service '${s.name}' lists itself as a caller`, 'calls within one service need no allow-list entry');
      if (caller !== INGRESS_GATEWAY && !names.has(caller)) throw invalid(caller, `service '${s.name}' allows unknown caller '${caller}'`, `callers are ${INGRESS_GATEWAY} or one of: ${[...names].join(', ')}`);
    }
    if (s.route && !s.callers.includes(INGRESS_GATEWAY)) throw invalid(s.name, `service '${s.name}' has a public route but does not allow '${INGRESS_GATEWAY}'`, `add '${INGRESS_GATEWAY}' to its callers or remove the route`);
  }
  return services;
}

function invalid(value: string, message: string, hint: string): PlatformError {
  return new PlatformError('config-invalid', message, { value, hint });
}
