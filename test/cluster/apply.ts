/**
 * Server-side apply to a test cluster, one object at a time, so each object gets its own verdict and
 * the API server's own message when it is rejected. Namespaced objects without a namespace get the
 * one given (as `helm install -n` would); the namespace is created first when missing. CRDs are
 * waited on until Established before their kinds are used.
 *
 * The body is the object exactly as given, as JSON: client-node's `KubernetesObjectApi.patch`
 * serializes built-in kinds through its typed models, which drops fields the model does not know
 * (a misspelt Deployment field would vanish instead of being rejected, and a CRD loses every
 * `x-kubernetes-*` key). client-node still resolves the URL (API discovery) and the TLS options.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';

export const FIELD_MANAGER = 'platform-test-cluster';

/** The start of the message of an object whose apiVersion/kind the API server does not serve. */
export const NOT_SERVED = /is not served by this API server/;

/** KubernetesObjectApi with its discovery lookups exposed (is a kind namespaced? the object's URL). */
class ObjectApi extends KubernetesObjectApi {
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }
  objectPath(o: KubernetesObject): Promise<string> {
    return this.specUriPath(o, 'patch');
  }
}

/** An API server error response: the Status it returned. */
export class ServerRejection extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApplyResult {
  /** kind/namespace/name */
  ref: string;
  ok: boolean;
  /** The API server's message when rejected (the Status message, as kubectl prints it). */
  message?: string;
  code?: number;
}

export function refOf(o: KubernetesObject): string {
  return [o.kind, o.metadata?.namespace, o.metadata?.name].filter(Boolean).join('/');
}

/** The API server's message from a client-node error (Status.message), or the error text. */
export function serverMessage(e: unknown): { message: string; code?: number } {
  if (e instanceof ServerRejection) return { message: e.message, code: e.code };
  if (e instanceof ApiException) {
    const body = typeof e.body === 'string' ? safeJson(e.body) : e.body;
    const message = (body as { message?: string } | undefined)?.message ?? String(e.body);
    return { message, code: e.code };
  }
  return { message: e instanceof Error ? e.message : String(e) };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return { message: s };
  }
}

export class Applier {
  readonly api: ObjectApi;
  private readonly kc: KubeConfig;
  private readonly namespaces = new Set<string>();

  constructor(readonly kubeconfig: string) {
    this.kc = new KubeConfig();
    this.kc.loadFromString(kubeconfig);
    this.api = this.kc.makeApiClient(ObjectApi);
  }

  /** PATCH application/apply-patch+yaml with the object as JSON (JSON is YAML); resolves with the server's object. */
  async serverSideApply(o: KubernetesObject, dryRun = false): Promise<KubernetesObject> {
    const url = new URL(this.kc.getCurrentCluster()!.server + (await this.api.objectPath(o)));
    url.searchParams.set('fieldManager', FIELD_MANAGER);
    url.searchParams.set('force', 'true');
    if (dryRun) url.searchParams.set('dryRun', 'All');
    const opts: RequestOptions = { method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml', Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const body = JSON.stringify(o);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    const parsed = safeJson(text) as KubernetesObject & { message?: string };
    if (status < 200 || status >= 300) throw new ServerRejection(status, parsed.message ?? text);
    return parsed;
  }

  /** Server-side applies one object; `defaultNamespace` fills a namespaced object's missing namespace. */
  async apply(obj: KubernetesObject, opts: { defaultNamespace?: string; dryRun?: boolean } = {}): Promise<ApplyResult> {
    let o = obj;
    try {
      // A kind missing from a served group is undefined; a group not served at all is a 404.
      const namespaced = await this.api.isNamespaced(o.apiVersion!, o.kind!).catch((e: unknown) => {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      });
      if (namespaced === undefined) {
        return { ref: refOf(o), ok: false, message: `${o.apiVersion} ${o.kind} is not served by this API server (no CRD installed for it)` };
      }
      if (!o.metadata?.namespace && namespaced) {
        o = { ...o, metadata: { ...o.metadata, namespace: opts.defaultNamespace ?? 'default' } };
      }
      if (o.metadata?.namespace) await this.ensureNamespace(o.metadata.namespace);
      await this.serverSideApply(o, opts.dryRun);
      return { ref: refOf(o), ok: true };
    } catch (e) {
      return { ref: refOf(o), ok: false, ...serverMessage(e) };
    }
  }

  /** Applies objects in order: CRDs first (waited on until Established), then the rest. */
  async applyAll(objects: readonly KubernetesObject[], opts: { defaultNamespace?: string } = {}): Promise<ApplyResult[]> {
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
    const results: ApplyResult[] = [];
    for (const c of crds) results.push(await this.apply(c));
    // Only the CRDs the server accepted can become Established; rejected ones are in the results.
    await this.waitEstablished(crds.filter((_, i) => results[i]!.ok).map((c) => c.metadata!.name!));
    // Namespaces before what lives in them.
    const ordered = [...rest.filter((o) => o.kind === 'Namespace'), ...rest.filter((o) => o.kind !== 'Namespace')];
    for (const o of ordered) results.push(await this.apply(o, opts));
    return results;
  }

  async ensureNamespace(name: string): Promise<void> {
    if (this.namespaces.has(name)) return;
    await this.serverSideApply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    this.namespaces.add(name);
  }

  /** Waits until every named CRD reports Established=True. */
  async waitEstablished(names: readonly string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const name of names) {
      for (;;) {
        const crd = await this.api
          .read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })
          .catch(() => undefined);
        const conds = (crd as { status?: { conditions?: { type: string; status: string }[] } } | undefined)?.status?.conditions ?? [];
        if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`CRD ${name} not Established within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
