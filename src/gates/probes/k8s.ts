/**
 * The Kubernetes probe: a thin port over @kubernetes/client-node. Objects are addressed by kind
 * (a fixed table of the kinds the gates use), so gates read Deployments and Karpenter NodePools the
 * same way. Core-group kinds are read through CoreV1Api; every other group through CustomObjectsApi
 * (which builds `/apis/<group>/<version>/...` paths for built-in groups too), so no API discovery is
 * needed.
 *
 * Creates send the manifest exactly as written, as JSON, with `fieldValidation=Strict`: client-node's
 * typed create calls (CoreV1Api.createNamespacedPod, KubernetesObjectApi.create) serialize built-in
 * kinds through their models, which silently drop every field the model does not know, and the API
 * server itself only warns about unknown fields unless asked to be strict. A misspelt field in a
 * gate's manifest is therefore refused with the API server's message instead of vanishing.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Writable } from 'node:stream';
import { KubeConfig, CoreV1Api, CustomObjectsApi, ApiException, HttpMethod, KubernetesObjectApi, Exec, type V1Status } from '@kubernetes/client-node';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { PlatformError, isPlatformError } from '../../core/errors.js';
import type { EksToken } from '../../aws/eks-token.js';
import { eksTokenRequest } from '../../../programs/shared/kubeconfig.js';
import type { KubeObject } from '../k8s/readiness.js';

/** Where a kind lives in the API. */
export interface KindInfo {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** The kinds gates use. Add a row to read another kind. */
export const KINDS = {
  Node: { group: '', version: 'v1', plural: 'nodes', namespaced: false },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  PersistentVolumeClaim: { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  PersistentVolume: { group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  Job: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  APIService: { group: 'apiregistration.k8s.io', version: 'v1', plural: 'apiservices', namespaced: false },
  NodePool: { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', namespaced: false },
  NodeClaim: { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims', namespaced: false },
  EC2NodeClass: { group: 'karpenter.k8s.aws', version: 'v1', plural: 'ec2nodeclasses', namespaced: false },
  Certificate: { group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespaced: true },
  CertificateRequest: { group: 'cert-manager.io', version: 'v1', plural: 'certificaterequests', namespaced: true },
  ClusterIssuer: { group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers', namespaced: false },
  Order: { group: 'acme.cert-manager.io', version: 'v1', plural: 'orders', namespaced: true },
  Challenge: { group: 'acme.cert-manager.io', version: 'v1', plural: 'challenges', namespaced: true },
  ClusterSecretStore: { group: 'external-secrets.io', version: 'v1', plural: 'clustersecretstores', namespaced: false },
  ExternalSecret: { group: 'external-secrets.io', version: 'v1', plural: 'externalsecrets', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Event: { group: '', version: 'v1', plural: 'events', namespaced: true },
  CustomResourceDefinition: { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', namespaced: false },
  Application: { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespaced: true },
  ApplicationSet: { group: 'argoproj.io', version: 'v1alpha1', plural: 'applicationsets', namespaced: true },
  AppProject: { group: 'argoproj.io', version: 'v1alpha1', plural: 'appprojects', namespaced: true },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', namespaced: true },
  ClusterAnalysisTemplate: { group: 'argoproj.io', version: 'v1alpha1', plural: 'clusteranalysistemplates', namespaced: false },
  PeerAuthentication: { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications', namespaced: true },
  Gateway: { group: 'networking.istio.io', version: 'v1', plural: 'gateways', namespaced: true },
  PrometheusRule: { group: 'monitoring.coreos.com', version: 'v1', plural: 'prometheusrules', namespaced: true },
  Kafka: { group: 'kafka.strimzi.io', version: 'v1', plural: 'kafkas', namespaced: true },
  KafkaNodePool: { group: 'kafka.strimzi.io', version: 'v1', plural: 'kafkanodepools', namespaced: true },
  KafkaConnect: { group: 'kafka.strimzi.io', version: 'v1', plural: 'kafkaconnects', namespaced: true },
  KafkaConnector: { group: 'kafka.strimzi.io', version: 'v1', plural: 'kafkaconnectors', namespaced: true },
  KafkaTopic: { group: 'kafka.strimzi.io', version: 'v1', plural: 'kafkatopics', namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type Kind = keyof typeof KINDS;

export interface ObjectRef {
  kind: Kind;
  name: string;
  namespace?: string;
}

/** A manifest to create: kind from the table, plus the object body. */
export type Manifest = KubeObject & { kind: Kind; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

/** KubernetesObjectApi's transport (auth, TLS, middleware) with a body sent as given. */
class AsIsObjectApi extends KubernetesObjectApi {
  /** POSTs `body` as JSON to `path` with strict field validation; resolves with the server's object. */
  async createAsIs(path: string, body: object): Promise<unknown> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.POST);
    ctx.setQueryParam('fieldValidation', 'Strict');
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('Content-Type', 'application/json');
    ctx.setBody(JSON.stringify(body));
    // 'KubernetesObject': the response is kept as the server sent it (no typed model).
    return this.requestPromise(ctx, 'KubernetesObject');
  }
}

/** The collection URL of a kind (`/api/v1/namespaces/<ns>/pods`, `/apis/batch/v1/namespaces/<ns>/jobs`...). */
export function collectionPath(info: KindInfo, namespace: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return info.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
}

/** A Service port the API server's service proxy forwards to. */
type ProxyTarget = { namespace: string; service: string; port: number; scheme?: 'http' | 'https' };

/** Which objects a list returns: one namespace (or all, for non-core kinds), by label or field selector. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  /** A field selector the kind supports: `involvedObject.uid=...` selects an object's Events; custom resources support only metadata.name and metadata.namespace. */
  fieldSelector?: string;
  allNamespaces?: boolean;
}

/** What gates can do against the cluster. */
export interface KubeProbe {
  /** The API server URL (evidence only; never credentials). */
  readonly server: string;
  /** The object, or undefined when it does not exist (404). */
  read(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Objects of a kind in one namespace, or (non-core kinds, `allNamespaces`) across every namespace. */
  list(kind: Kind, opts?: ListOptions): Promise<KubeObject[]>;
  /** Sends the manifest as written; an unknown or misspelt field is refused by the API server. */
  create(manifest: Manifest): Promise<KubeObject>;
  /** Deletes with background propagation; a missing object is fine. */
  delete(ref: ObjectRef): Promise<void>;
  /**
   * Evicts a pod (the `eviction` subresource, policy/v1): the API server refuses with HTTP 429 when
   * a PodDisruptionBudget allows no disruption now; the rejection carries its message.
   */
  evict(pod: { namespace: string; name: string }): Promise<void>;
  /**
   * GET through the API server's service proxy (`/api/v1/namespaces/<ns>/services/<scheme>:<name>:<port>/proxy<path>`):
   * reaches in-cluster HTTP APIs (Prometheus, Alertmanager) without port-forwarding. The API server
   * itself dials the pod, in plain HTTP, from outside the mesh. Any HTTP answer is returned (a 503
   * with `error trying to reach service: ...` when the backend refused or reset the connection).
   */
  proxyGet(target: { namespace: string; service: string; port: number; scheme?: 'http' | 'https' }, path: string): Promise<{ status: number; body: string }>;
  /**
   * POST through the same service proxy (the `create` verb on `services/proxy`): sends `body` with
   * `contentType` to an in-cluster HTTP API (the OpenTelemetry collector's OTLP/HTTP receiver) and
   * returns any HTTP answer, as proxyGet does.
   */
  proxyPost(target: { namespace: string; service: string; port: number; scheme?: 'http' | 'https' }, path: string, body: string, contentType: string): Promise<{ status: number; body: string }>;
  /**
   * Runs `command` in a container (the exec subresource, no TTY, no stdin) and collects its output;
   * rejects when it has not ended within `timeoutMs`.
   */
  exec(target: { namespace: string; pod: string; container: string }, command: string[], timeoutMs: number): Promise<ExecResult>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The exit code (0 on success; from the V1Status the API server sends at the end). */
  code: number;
}

export interface KubeProbeOptions {
  /**
   * For a kubeconfig user that runs `platform eks-token` (or `aws eks get-token`): the EKS token is
   * minted in-process instead (no child process, no AWS CLI), with these credentials (default: the
   * SDK chain) and AssumeRole sent to `stsEndpoint` (an emulator), and renewed a minute before it expires.
   */
  eksToken?: {
    credentials?: AwsCredentialIdentity;
    stsEndpoint?: string;
    /** Replaces the minting (tests). */
    mint?: (req: { clusterName: string; region: string; roleArn?: string }) => Promise<EksToken>;
  };
}

/**
 * Builds the probe from a kubeconfig (YAML or JSON string, or the object @pulumi/eks emits).
 * Throws `config-invalid` when the kubeconfig cannot be parsed or names no cluster.
 */
export function createKubeProbe(kubeconfig: unknown, opts: KubeProbeOptions = {}): KubeProbe {
  const kc = new KubeConfig();
  const text = typeof kubeconfig === 'string' ? kubeconfig : JSON.stringify(kubeconfig);
  try {
    kc.loadFromString(text);
  } catch (e) {
    throw new PlatformError('config-invalid', 'the kubeconfig output of phase 2 cannot be parsed', {
      hint: 'run `platform outputs --phase 2` to check it; redeploy phase 2 if it is damaged',
      cause: e,
    });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new PlatformError('config-invalid', 'the kubeconfig output of phase 2 has no current cluster', {
      hint: 'redeploy phase 2 (its kubeconfig must set current-context)',
    });
  }
  const apiServer = cluster.server;
  const user = kc.getCurrentUser();
  const tokenRequest = eksTokenRequest(user?.exec);
  type Apis = { core: CoreV1Api; custom: CustomObjectsApi; asIs: AsIsObjectApi; config: KubeConfig; exec: Exec };
  const build = (config: KubeConfig): Apis => ({
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    asIs: config.makeApiClient(AsIsObjectApi),
    config,
    exec: new Exec(config),
  });
  let apis: Apis | undefined = tokenRequest ? undefined : build(kc);
  let expiresAt = 0;
  const mint =
    opts.eksToken?.mint ??
    (async (r: { clusterName: string; region: string; roleArn?: string }) =>
      (await import('../../aws/eks-token.js')).eksToken({
        cluster: r.clusterName,
        region: r.region,
        sessionName: 'platform-gates',
        ...(r.roleArn ? { roleArn: r.roleArn } : {}),
        ...(opts.eksToken?.credentials ? { credentials: opts.eksToken.credentials } : {}),
        ...(opts.eksToken?.stsEndpoint ? { stsEndpoint: opts.eksToken.stsEndpoint } : {}),
      }));
  /** The API clients, with a fresh EKS token when the kubeconfig's user runs the token command. */
  const clients = async (): Promise<Apis> => {
    if (!tokenRequest) return apis!;
    if (apis && Date.now() < expiresAt - 60_000) return apis;
    const t = await mint(tokenRequest);
    const fresh = new KubeConfig();
    fresh.loadFromOptions({
      clusters: kc.clusters,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
      users: kc.users.map((u) => (u.name === user!.name ? { name: u.name, token: t.token } : u)),
    });
    apis = build(fresh);
    expiresAt = Date.parse(t.expirationTimestamp);
    return apis;
  };
  const ns = (ref: { kind: Kind; namespace?: string }): string => {
    const info: KindInfo = KINDS[ref.kind];
    if (info.namespaced && !ref.namespace) throw new PlatformError('usage', `${ref.kind} is namespaced: give a namespace`, { value: ref.kind });
    return ref.namespace ?? '';
  };
  const coreCalls = (core: CoreV1Api) => ({
    read: (r: ObjectRef): Promise<unknown> => {
      switch (r.kind) {
        case 'Node': return core.readNode({ name: r.name });
        case 'Pod': return core.readNamespacedPod({ name: r.name, namespace: ns(r) });
        case 'PersistentVolumeClaim': return core.readNamespacedPersistentVolumeClaim({ name: r.name, namespace: ns(r) });
        case 'PersistentVolume': return core.readPersistentVolume({ name: r.name });
        case 'Service': return core.readNamespacedService({ name: r.name, namespace: ns(r) });
        case 'Namespace': return core.readNamespace({ name: r.name });
        default: throw new Error(`no core read for ${r.kind}`);
      }
    },
    list: (kind: Kind, { namespace, labelSelector, fieldSelector }: ListOptions): Promise<{ items: unknown[] }> => {
      switch (kind) {
        case 'Event': return core.listNamespacedEvent({ namespace: ns({ kind, namespace }), labelSelector, fieldSelector });
        case 'Node': return core.listNode({ labelSelector, fieldSelector });
        case 'Pod': return core.listNamespacedPod({ namespace: ns({ kind, namespace }), labelSelector, fieldSelector });
        case 'PersistentVolumeClaim': return core.listNamespacedPersistentVolumeClaim({ namespace: ns({ kind, namespace }), labelSelector, fieldSelector });
        case 'PersistentVolume': return core.listPersistentVolume({ labelSelector, fieldSelector });
        case 'Service': return core.listNamespacedService({ namespace: ns({ kind, namespace }), labelSelector, fieldSelector });
        default: throw new Error(`no core list for ${kind}`);
      }
    },
    delete: (r: ObjectRef): Promise<unknown> => {
      switch (r.kind) {
        case 'Pod': return core.deleteNamespacedPod({ name: r.name, namespace: ns(r) });
        case 'PersistentVolumeClaim': return core.deleteNamespacedPersistentVolumeClaim({ name: r.name, namespace: ns(r) });
        case 'PersistentVolume': return core.deletePersistentVolume({ name: r.name });
        case 'Service': return core.deleteNamespacedService({ name: r.name, namespace: ns(r) });
        case 'Namespace': return core.deleteNamespace({ name: r.name });
        default: throw new Error(`no core delete for ${r.kind}`);
      }
    },
  });
  const withKind = (kind: Kind, o: any): KubeObject => ({ ...o, kind: o?.kind ?? kind });

  /** One request through the API server's service proxy; any HTTP answer is returned. */
  async function proxy(method: 'GET' | 'POST', target: ProxyTarget, path: string, send?: { body: string; contentType: string }): Promise<{ status: number; body: string }> {
    const { config } = await clients();
    const name = `${target.scheme ?? 'http'}:${target.service}:${target.port}`;
    const url = new URL(`${apiServer.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services/${encodeURIComponent(name)}/proxy${path.startsWith('/') ? '' : '/'}${path}`);
    const headers: Record<string, string | number> = { accept: 'application/json, text/plain, */*' };
    if (send) Object.assign(headers, { 'content-type': send.contentType, 'content-length': Buffer.byteLength(send.body) });
    const opts: RequestOptions = { method, headers };
    await config.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${target.namespace}/${target.service}${path} through the API server timed out`)));
      req.on('error', (e) => reject(new Error(`Kubernetes API service proxy to ${target.namespace}/${name} failed: ${e.message}`)));
      req.end(send?.body);
    });
  }
  return {
    server: cluster.server,
    async read(ref) {
      const info: KindInfo = KINDS[ref.kind];
      try {
        const { core, custom } = await clients();
        const coreCall = coreCalls(core);
        const o = info.group === ''
          ? await coreCall.read(ref)
          : info.namespaced
            ? await custom.getNamespacedCustomObject({ group: info.group, version: info.version, plural: info.plural, namespace: ns(ref), name: ref.name })
            : await custom.getClusterCustomObject({ group: info.group, version: info.version, plural: info.plural, name: ref.name });
        return withKind(ref.kind, o);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw wrap(e, `read ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
      }
    },
    async list(kind, opts = {}) {
      const info: KindInfo = KINDS[kind];
      try {
        const { core, custom } = await clients();
        const coreCall = coreCalls(core);
        const res: any = info.group === ''
          ? await coreCall.list(kind, opts)
          : info.namespaced && !opts.allNamespaces
            ? await custom.listNamespacedCustomObject({ group: info.group, version: info.version, plural: info.plural, namespace: ns({ kind, namespace: opts.namespace }), labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector })
            : await custom.listClusterCustomObject({ group: info.group, version: info.version, plural: info.plural, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
        return ((res?.items ?? []) as any[]).map((o) => withKind(kind, o));
      } catch (e) {
        throw wrap(e, `list ${kind}${opts.namespace ? ` in ${opts.namespace}` : ''}`);
      }
    },
    async create(m) {
      const info: KindInfo = KINDS[m.kind];
      const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
      try {
        const { asIs } = await clients();
        const o = await asIs.createAsIs(collectionPath(info, ns({ kind: m.kind, namespace: m.metadata.namespace })), { apiVersion, ...m });
        return withKind(m.kind, o);
      } catch (e) {
        throw wrap(e, `create ${m.kind} ${m.metadata.name}`);
      }
    },
    async exec(target, command, timeoutMs) {
      const { exec } = await clients();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const sink = (into: Buffer[]) => new Writable({ write: (chunk: Buffer, _enc, cb) => (into.push(Buffer.from(chunk)), cb()) });
      return new Promise<ExecResult>((resolve, reject) => {
        let socket: { close(): void } | undefined;
        const timer = setTimeout(() => {
          socket?.close();
          reject(new Error(`exec in ${target.namespace}/${target.pod} did not end within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        const done = (s: V1Status) => {
          clearTimeout(timer);
          const code = s.status === 'Success' ? 0 : Number(s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? 1);
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
        };
        exec
          .exec(target.namespace, target.pod, target.container, command, sink(out), sink(err), null, false, done)
          .then((ws) => (socket = ws))
          .catch((e: unknown) => (clearTimeout(timer), reject(wrap(e, `exec in ${target.namespace}/${target.pod}`))));
      });
    },
    async delete(ref) {
      const info: KindInfo = KINDS[ref.kind];
      try {
        const { core, custom } = await clients();
        const coreCall = coreCalls(core);
        if (info.group === '') await coreCall.delete(ref);
        else if (info.namespaced) await custom.deleteNamespacedCustomObject({ group: info.group, version: info.version, plural: info.plural, namespace: ns(ref), name: ref.name, propagationPolicy: 'Background' });
        else await custom.deleteClusterCustomObject({ group: info.group, version: info.version, plural: info.plural, name: ref.name, propagationPolicy: 'Background' });
      } catch (e) {
        if (isNotFound(e)) return;
        throw wrap(e, `delete ${ref.kind} ${ref.name}`);
      }
    },
    async evict(pod) {
      try {
        const { core } = await clients();
        await core.createNamespacedPodEviction({ name: pod.name, namespace: pod.namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace } } });
      } catch (e) {
        throw wrap(e, `evict Pod ${pod.namespace}/${pod.name}`);
      }
    },
    proxyGet(target, path) {
      return proxy('GET', target, path);
    },
    proxyPost(target, path, body, contentType) {
      return proxy('POST', target, path, { body, contentType });
    },
  };
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

/** Keeps the API status message (e.g. `forbidden: ...`), drops the response headers and body. */
function wrap(e: unknown, what: string): Error {
  if (isPlatformError(e)) return e;
  if (e instanceof ApiException) {
    let reason = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      reason = body?.message ? `: ${body.message}` : '';
    } catch {
      reason = '';
    }
    return new Error(`Kubernetes API ${what} failed with HTTP ${e.code}${reason}`);
  }
  return e instanceof Error ? new Error(`Kubernetes API ${what} failed: ${e.message}`) : new Error(String(e));
}
