/**
 * EKS authentication tokens without the AWS CLI, in the format EKS accepts (aws-iam-authenticator
 * `pkg/token/token.go`; the AWS CLI's `awscli/customizations/eks/get_token.py`):
 * - a GET of STS `GetCallerIdentity` (`Action`, `Version=2011-06-15`) on the regional endpoint
 *   `https://sts.<region>.amazonaws.com/`, presigned with SigV4 (`X-Amz-Expires=60`, which STS ignores:
 *   the URL is valid 15 minutes after `X-Amz-Date`) with the header `x-k8s-aws-id: <cluster>` signed
 *   (not hoisted into the query: the authenticator checks `X-Amz-SignedHeaders` for it, and allows only
 *   Action, Version and X-Amz-* parameters);
 * - token = `k8s-aws-v1.` + base64url(URL) without padding;
 * - expiration 14 minutes from now (one minute of margin, as both upstreams do).
 * Credentials come from the SDK's default chain (env, profile, SSO, web identity, container, IMDS),
 * then AssumeRole when a role is given. Every import is lazy: kubectl runs this on each token refresh.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { PlatformError } from '../core/errors.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
export const PRESIGN_EXPIRES_SECONDS = 60;
export const TOKEN_LIFETIME_MS = 14 * 60_000;
export const EXEC_API_V1BETA1 = 'client.authentication.k8s.io/v1beta1';
export const EXEC_API_V1 = 'client.authentication.k8s.io/v1';

export interface EksTokenOptions {
  cluster: string;
  region: string;
  /** Assume this role first (the deploy role); its session signs the token. */
  roleArn?: string;
  sessionName?: string;
  /** Use these instead of the default chain (tests; the gates' own credentials). */
  credentials?: AwsCredentialIdentity;
  /** STS endpoint for AssumeRole only (an emulator); the token always names the real regional STS. */
  stsEndpoint?: string;
  now?: Date;
}

export interface EksToken {
  token: string;
  /** RFC 3339, seconds precision, UTC. */
  expirationTimestamp: string;
}

/** SHA-256 and HMAC-SHA256 over node:crypto, in the shape the SigV4 signer takes. */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret instanceof ArrayBuffer ? new Uint8Array(this.secret) : new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength));
    return createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The regional STS host of a region (`sts.eu-west-1.amazonaws.com`, `.amazonaws.com.cn` in China). */
export function stsHost(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** The presigned GetCallerIdentity URL that EKS verifies, signed with `credentials`. */
export async function presignedCallerIdentityUrl(credentials: AwsCredentialIdentity, cluster: string, region: string, now: Date): Promise<string> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
  const hostname = stsHost(region);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: cluster },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `https://${hostname}/?${query}`;
}

/** `k8s-aws-v1.` + base64url(url), unpadded. */
export function tokenFromUrl(url: string): string {
  return TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

async function resolveCredentials(opts: EksTokenOptions): Promise<AwsCredentialIdentity> {
  let base = opts.credentials;
  try {
    if (!base) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      base = await defaultProvider()();
    }
    if (!opts.roleArn) return base;
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: opts.region, credentials: base, maxAttempts: 3, ...(opts.stsEndpoint ? { endpoint: opts.stsEndpoint } : {}) });
    try {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: opts.roleArn, RoleSessionName: opts.sessionName ?? 'platform-eks-token', DurationSeconds: 900 }))).Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`assuming ${opts.roleArn} returned no credentials`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    } finally {
      sts.destroy();
    }
  } catch (e) {
    const err = e as { name?: string; message?: string };
    throw new PlatformError('config-missing', `cannot get AWS credentials for an EKS token of cluster '${opts.cluster}'${opts.roleArn ? ` as ${opts.roleArn}` : ''} (${err.name ?? 'Error'}: ${err.message ?? String(e)})`, {
      value: opts.roleArn ?? opts.cluster,
      hint: 'configure AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) that may assume the role, then `platform doctor`',
      cause: e,
    });
  }
}

/** A fresh token for `cluster`, from the default credential chain (and the role, when given). */
export async function eksToken(opts: EksTokenOptions): Promise<EksToken> {
  const now = opts.now ?? new Date();
  const credentials = await resolveCredentials(opts);
  const url = await presignedCallerIdentityUrl(credentials, opts.cluster, opts.region, now);
  return { token: tokenFromUrl(url), expirationTimestamp: new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/**
 * The ExecCredential kubectl expects. Its apiVersion must equal the kubeconfig's exec apiVersion,
 * which kubectl passes in KUBERNETES_EXEC_INFO; v1beta1 when absent or unknown (as the AWS CLI does).
 */
export function execCredential(t: EksToken, execInfo?: string): Record<string, unknown> {
  let apiVersion = EXEC_API_V1BETA1;
  try {
    const requested = execInfo ? (JSON.parse(execInfo) as { apiVersion?: string }).apiVersion : undefined;
    if (requested === EXEC_API_V1) apiVersion = EXEC_API_V1;
  } catch {
    // malformed KUBERNETES_EXEC_INFO: answer v1beta1
  }
  return { kind: 'ExecCredential', apiVersion, spec: {}, status: { expirationTimestamp: t.expirationTimestamp, token: t.token } };
}
