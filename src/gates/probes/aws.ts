/**
 * The AWS probe: a thin port over AWS SDK v3. It hands out clients configured for the env's region
 * (or another, e.g. the DR region), with short request timeouts and an optional endpoint override
 * (a loopback emulator in tests), and can assume a role (a deploy or verifier role) to give clients
 * with that role's credentials. Credentials never leave this file: no evidence or error carries them.
 */
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

/** Any SDK v3 client class. */
export type ClientClass<C> = new (config: any) => C;

export interface AwsProbe {
  readonly region: string;
  /** A client for `region` (default: the env's primary region); cached per class and region. */
  client<C>(ctor: ClientClass<C>, opts?: { region?: string }): C;
  /** Assumes `roleArn` and returns a probe acting as it, with the identity STS reports for it. */
  assume(roleArn: string, sessionName?: string): Promise<{ probe: AwsProbe; account: string; arn: string }>;
  /**
   * A SigV4-signed REST-JSON call, for APIs whose SDK v3 client the project does not carry (FIS:
   * @aws-sdk/client-fis stopped at 3.523.0, whose old dependency tree would add 147 packages).
   * Resolves with the parsed body of a 2xx answer; rejects with an `AwsRestError` naming the
   * service's error type and message otherwise.
   */
  rest<T = unknown>(service: string, req: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: object }, opts?: { region?: string }): Promise<T>;
}

/** A non-2xx answer of `AwsProbe.rest`: the service's error type (`ResourceNotFoundException`) and message. */
export class AwsRestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

export interface AwsProbeOptions {
  region: string;
  /** e.g. `http://127.0.0.1:5000` for an emulator; every service is sent there. */
  endpoint?: string;
  /** Default: the SDK's provider chain (env, profile, SSO, IMDS). */
  credentials?: AwsCredentialIdentity;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

export function createAwsProbe(opts: AwsProbeOptions): AwsProbe {
  const cache = new Map<ClientClass<unknown>, Map<string, unknown>>();
  const config = (region: string) => ({
    region,
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: { requestTimeout: opts.requestTimeoutMs ?? 15_000, connectionTimeout: 5_000 },
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
  });
  let chain: (() => Promise<AwsCredentialIdentity>) | undefined;
  const credentials = async (): Promise<AwsCredentialIdentity> => {
    if (opts.credentials) return opts.credentials;
    if (!chain) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      chain = defaultProvider();
    }
    return chain();
  };
  const probe: AwsProbe = {
    region: opts.region,
    async rest<T>(service: string, req: { method: string; path: string; body?: object }, o: { region?: string } = {}): Promise<T> {
      const region = o.region ?? opts.region;
      const base = new URL(opts.endpoint ?? `https://${service}.${region}.amazonaws.com`);
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      const [path, query] = req.path.split('?') as [string, string | undefined];
      const [{ SignatureV4 }, { NodeSha256 }] = await Promise.all([import('@smithy/signature-v4'), import('../../aws/eks-token.js')]);
      const signer = new SignatureV4({ credentials: await credentials(), region, service, sha256: NodeSha256, uriEscapePath: true, applyChecksum: true });
      const signed = await signer.sign({
        method: req.method,
        protocol: base.protocol,
        hostname: base.hostname,
        ...(base.port ? { port: Number(base.port) } : {}),
        path,
        query: Object.fromEntries(new URLSearchParams(query ?? '')),
        // content-length is left to fetch (and unsigned: SigV4 needs host and x-amz-*): the undici
        // package some dependencies install as the global dispatcher refuses a caller's content-length.
        headers: { host: base.host, 'content-type': 'application/json' },
        ...(body ? { body } : {}),
      });
      const res = await fetch(`${base.origin}${req.path}`, {
        method: req.method,
        // fetch sets Host from the URL (a forbidden header for callers); the signed value is the same.
        headers: Object.fromEntries(Object.entries(signed.headers as Record<string, string>).filter(([k]) => k.toLowerCase() !== 'host')),
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 15_000),
      });
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (!res.ok) {
        const code = String(res.headers.get('x-amzn-errortype') ?? parsed.__type ?? parsed.code ?? `HTTP${res.status}`).split(':')[0]!.split('#').pop()!;
        throw new AwsRestError(res.status, code, String(parsed.message ?? parsed.Message ?? text));
      }
      return parsed as T;
    },
    client<C>(ctor: ClientClass<C>, o: { region?: string } = {}): C {
      const region = o.region ?? opts.region;
      let byRegion = cache.get(ctor);
      if (!byRegion) cache.set(ctor, (byRegion = new Map()));
      let c = byRegion.get(region) as C | undefined;
      if (!c) byRegion.set(region, (c = new ctor(config(region))));
      return c;
    },
    async assume(roleArn, sessionName = 'platform-gates') {
      const res = await probe.client(STSClient).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 900 }));
      const c = res.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS AssumeRole ${roleArn} returned no credentials`);
      const assumed = createAwsProbe({
        ...opts,
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
      });
      const id = await assumed.client(STSClient).send(new GetCallerIdentityCommand({}));
      return { probe: assumed, account: id.Account ?? '?', arn: id.Arn ?? '?' };
    },
  };
  return probe;
}

/** The AWS error code and message (e.g. `AccessDenied: ... explicit deny in a service control policy`). */
export function awsErrorText(e: unknown): string {
  const err = e as { name?: string; Code?: string; message?: string };
  return `${err.Code ?? err.name ?? 'Error'}: ${err.message ?? String(e)}`;
}
