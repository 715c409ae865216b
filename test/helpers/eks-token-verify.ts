/**
 * An EKS token verifier written from aws-iam-authenticator's `pkg/token/token.go` Verify() and the
 * SigV4 specification, independent of the signer under test: it decodes the token, applies the
 * authenticator's checks (prefix, https, regional STS host, path `/`, whitelisted single-valued
 * parameters, Action, signed `x-k8s-aws-id`, X-Amz-Expires 0..900, X-Amz-Date within 15 minutes), then
 * recomputes the signature from the secret key, with the header set to the cluster the verifier
 * serves (as the EKS server does), and throws on the first mismatch.
 */
import { createHash, createHmac } from 'node:crypto';

const WHITELIST = new Set(['action', 'version', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-security-token', 'x-amz-signature', 'x-amz-signedheaders']);

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export interface VerifiedToken {
  url: URL;
  accessKeyId: string;
  params: Record<string, string>;
}

export function verifyEksToken(token: string, o: { cluster: string; region: string; secretAccessKey?: string; now: Date }): VerifiedToken {
  if (token.length > 4096) throw new Error('token is too large');
  if (!token.startsWith('k8s-aws-v1.')) throw new Error('token is missing the k8s-aws-v1. prefix');
  const body = token.slice('k8s-aws-v1.'.length);
  if (/[=+/]/.test(body)) throw new Error('token is not unpadded base64url');
  const url = new URL(Buffer.from(body, 'base64url').toString('utf8'));
  if (url.protocol !== 'https:') throw new Error(`unexpected scheme ${url.protocol}`);
  if (url.host !== `sts.${o.region}.amazonaws.com`) throw new Error(`unexpected hostname ${url.host}`);
  if (url.pathname !== '/') throw new Error('unexpected path');
  const params: Record<string, string> = {};
  const lower: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) {
    if (!WHITELIST.has(key.toLowerCase())) throw new Error(`non-whitelisted query parameter ${key}`);
    const values = url.searchParams.getAll(key);
    if (values.length !== 1) throw new Error('query parameter with multiple values');
    params[key] = values[0]!;
    lower[key.toLowerCase()] = values[0]!;
  }
  if (lower.action !== 'GetCallerIdentity') throw new Error('unexpected action');
  if (lower.version !== '2011-06-15') throw new Error('unexpected version');
  const signedHeaders = (lower['x-amz-signedheaders'] ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) throw new Error('client did not sign the x-k8s-aws-id header');
  const expires = Number(lower['x-amz-expires']);
  if (!Number.isInteger(expires) || expires < 0 || expires > 900) throw new Error(`invalid X-Amz-Expires ${lower['x-amz-expires']}`);
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(lower['x-amz-date'] ?? '');
  if (!m) throw new Error('X-Amz-Date missing or malformed');
  const date = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (o.now.getTime() > date + 15 * 60_000) throw new Error('X-Amz-Date is expired');
  const [accessKeyId, shortDate, region, service, terminator] = (lower['x-amz-credential'] ?? '').split('/');
  if (lower['x-amz-algorithm'] !== 'AWS4-HMAC-SHA256') throw new Error('unexpected algorithm');
  if (region !== o.region || service !== 'sts' || terminator !== 'aws4_request' || shortDate !== lower['x-amz-date']!.slice(0, 8)) throw new Error('unexpected credential scope');

  if (o.secretAccessKey !== undefined) {
    const headerValues: Record<string, string> = { host: url.host, 'x-k8s-aws-id': o.cluster };
    const canonicalQuery = Object.keys(params)
      .filter((k) => k !== 'X-Amz-Signature')
      .map((k) => [rfc3986(k), rfc3986(params[k]!)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headerValues[h] ?? '').trim()}\n`).join('');
    const canonicalRequest = ['GET', '/', canonicalQuery, canonicalHeaders, signedHeaders.join(';'), sha256hex('')].join('\n');
    const scope = `${shortDate}/${region}/sts/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', lower['x-amz-date'], scope, sha256hex(canonicalRequest)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${o.secretAccessKey}`, shortDate!), region!), 'sts'), 'aws4_request');
    const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
    if (signature !== lower['x-amz-signature']) throw new Error('signature does not match');
  }
  return { url, accessKeyId: accessKeyId!, params };
}
