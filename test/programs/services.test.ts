/**
 * The service list (programs/shared/services.ts) is the one source every per-service phase reads.
 * These tests pin its rules: a broken entry is refused naming the service and field, the allow list
 * reads both ways, and an eighth service is one entry.
 */
import { strict as assert } from 'node:assert';
import { PlatformError } from '../../src/core/errors.js';
import { INGRESS_GATEWAY, SERVICES, SERVICE_NAMES, callees, routeHost, service, validateServices, type ServiceSpec } from '../../programs/shared/services.js';

const base = (): ServiceSpec[] => SERVICES.map((s) => ({ ...s, scaling: { ...s.scaling }, callers: [...s.callers], data: { ...s.data } }));

function refuses(list: ServiceSpec[], match: RegExp): void {
  assert.throws(() => validateServices(list), (e: unknown) => e instanceof PlatformError && e.code === 'config-invalid' && match.test(e.message));
}

describe('services (the per-service data every phase reads)', () => {
  it('lists the seven services of the issue, each with a port, repository, scaling and allow list', () => {
    assert.deepEqual([...SERVICE_NAMES].sort(), ['auth', 'cart', 'catalog', 'frontend', 'notifications', 'orders', 'payments']);
    for (const s of SERVICES) {
      assert.ok(s.port >= 1024, s.name);
      assert.match(s.imageRepository, new RegExp(`/${s.name}$`));
      assert.ok(s.scaling.minReplicas <= s.scaling.maxReplicas);
    }
  });

  it('routes: frontend alone at the apex, the public APIs under api., payments and notifications mesh-only', () => {
    assert.deepEqual(service('frontend').route, { host: 'apex', pathPrefix: '/' });
    for (const s of SERVICES.filter((x) => x.route)) if (s.name !== 'frontend') assert.equal(s.route?.host, 'api', s.name);
    assert.equal(service('payments').route, null);
    assert.equal(service('notifications').route, null);
    assert.equal(routeHost({ host: 'api', pathPrefix: '/x' }, 'dev.example.com'), 'api.dev.example.com');
    assert.equal(routeHost({ host: 'apex', pathPrefix: '/' }, 'dev.example.com'), 'dev.example.com');
  });

  it('the allow list: only orders calls payments; the gateway reaches only routed services', () => {
    assert.deepEqual(service('payments').callers, ['orders']);
    assert.deepEqual(callees('orders').sort(), ['auth', 'cart', 'catalog', 'notifications', 'payments']);
    assert.deepEqual(callees('notifications'), []);
    const viaGateway = callees(INGRESS_GATEWAY).sort();
    assert.deepEqual(viaGateway, SERVICES.filter((s) => s.route).map((s) => s.name).sort());
  });

  it('an eighth service is one entry', () => {
    const list = [...base(), { name: 'reviews', port: 8080, imageRepository: 'platform/reviews', scaling: { minReplicas: 1, maxReplicas: 3, cpuTargetPercent: 70, requestsPerSecondTarget: 20 }, route: { host: 'api' as const, pathPrefix: '/reviews' }, callers: [INGRESS_GATEWAY, 'frontend'], data: { postgres: true, kafka: false } }];
    assert.equal(validateServices(list).length, 8);
    assert.deepEqual(callees('frontend', list).includes('reviews'), true);
  });

  it('refuses a broken entry, naming the service and the field', () => {
    const dup = base();
    dup.push({ ...dup[0]!, imageRepository: 'platform/other' });
    refuses(dup, /'frontend' is listed twice/);
    const port = base();
    port[1]!.port = 80;
    refuses(port, /'auth' port 80/);
    const caller = base();
    caller[1]!.callers = ['billing'];
    refuses(caller, /'auth' allows unknown caller 'billing'/);
    const self = base();
    self[2]!.callers = ['catalog'];
    refuses(self, /'catalog' lists itself/);
    const scale = base();
    scale[3]!.scaling.maxReplicas = 1;
    refuses(scale, /'cart' scaling 2\.\.1/);
    const route = base();
    route[2]!.route = { host: 'api', pathPrefix: '/auth' };
    refuses(route, /route api \/auth of 'catalog' is taken/);
    const gw = base();
    gw[1]!.callers = ['frontend'];
    refuses(gw, /'auth' has a public route but does not allow 'ingress-gateway'/);
    const repo = base();
    repo[4]!.imageRepository = 'Platform/Orders';
    refuses(repo, /'orders' image repository/);
    const name = base();
    name[0]!.name = 'Front_End';
    refuses(name, /'Front_End' is not a DNS-1123 label/);
    assert.throws(() => service('billing'), /unknown service 'billing'/);
  });
});
