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
  const probe: AwsProbe = {
    region: opts.region,
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
