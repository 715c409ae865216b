/**
 * `platform doctor`: checks as data, one pass/fail line each, in the order a user fixes them:
 * Node version, engine found and its version (against the SDK in the lockfile), the dynamic-provider
 * launcher, Kubernetes auth (no AWS CLI needed; reported), and with an env: backend reachable and
 * writable, secrets provider usable, AWS credentials and account id, and an EKS token signed as the
 * deploy role. No check throws; each failure carries its hint.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import type { EnvConfig } from '../../core/env.js';
import { isPlatformError } from '../../core/errors.js';
import { assertAccount } from './account-guard.js';
import { createPulumiEngine } from './engine.js';
import { backendUrl, compareVersions, engineEnv, findEngineRoot, INSTALL_HINT, sdkVersion, type PulumiEngineOptions } from './settings.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  hint?: string;
}

export interface DoctorOptions extends PulumiEngineOptions {
  /** With an env: backend, secrets and account checks. */
  env?: EnvConfig;
  /** AWS client settings (endpoint/credentials for an emulator in tests). */
  aws?: STSClientConfig;
  /** The deploy role the account check assumes first. */
  roleArn?: string;
  nodeVersion?: string;
}

const MIN_NODE = '22.12.0';

async function check(name: string, fn: () => Promise<Omit<DoctorCheck, 'name'>>): Promise<DoctorCheck> {
  try {
    return { name, ...(await fn()) };
  } catch (e) {
    const msg = isPlatformError(e) ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { name, ok: false, detail: msg, ...(isPlatformError(e) && e.hint ? { hint: e.hint } : {}) };
  }
}

/** Runs every check that applies and returns them in order. */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const node = opts.nodeVersion ?? process.versions.node;
  checks.push({
    name: 'node',
    ok: compareVersions(node, MIN_NODE) >= 0,
    detail: `Node ${node}`,
    ...(compareVersions(node, MIN_NODE) >= 0 ? {} : { hint: `Node >= ${MIN_NODE} is needed; run through \`npm run\`/\`npx\` to use the project's Node 22` }),
  });

  const root = findEngineRoot(opts);
  checks.push(
    await check('engine', async () => {
      if (!root) return { ok: false, detail: 'no pulumi CLI found', hint: INSTALL_HINT };
      const version = (await createPulumiEngine({ ...opts, pulumiRoot: root }).version()).replace(/^v/, '');
      const sdk = sdkVersion(opts.repoRoot);
      const same = sdk === undefined || version === sdk;
      return {
        ok: true,
        detail: `pulumi ${version} at ${root}/bin/pulumi${same ? '' : ` (the SDK in package-lock.json is ${sdk}; same major, accepted by the Automation API)`}`,
      };
    }),
  );
  if (root) {
    const launcher = join(root, 'bin', 'pulumi-resource-pulumi-nodejs');
    checks.push({
      name: 'dynamic-provider launcher',
      ok: existsSync(launcher),
      detail: existsSync(launcher) ? launcher : `missing: ${launcher}`,
      ...(existsSync(launcher) ? {} : { hint: INSTALL_HINT }),
    });
  }
  checks.push(kubernetesAuthCheck(opts.processEnv ?? process.env));
  const env = opts.env;
  if (!env) return checks;

  checks.push(
    await check('backend', async () => {
      const url = backendUrl(env, opts.repoRoot);
      if (url.startsWith('file://')) {
        const dir = url.slice('file://'.length);
        mkdirSync(dir, { recursive: true });
        const probe = join(dir, `.doctor-probe-${process.pid}`);
        writeFileSync(probe, 'probe');
        rmSync(probe);
        return { ok: true, detail: `${url} is writable` };
      }
      const m = /^s3:\/\/([^/?]+)\/?([^?]*)/.exec(url);
      if (!m) return { ok: false, detail: `unsupported backend ${url}`, hint: 'use file://<path> or s3://<bucket>[/prefix]' };
      const region = new URLSearchParams(url.split('?')[1] ?? '').get('region') ?? env.regions.primary;
      // An endpoint override (an emulator) needs path-style addressing: `<bucket>.127.0.0.1` does not resolve.
      const s3 = new S3Client({ region, ...(opts.aws as object), ...(opts.aws?.endpoint ? { forcePathStyle: true } : {}) });
      const key = `${m[2] ? `${m[2].replace(/\/$/, '')}/` : ''}.platform-doctor-probe`;
      try {
        await s3.send(new PutObjectCommand({ Bucket: m[1], Key: key, Body: 'probe' }));
        await s3.send(new DeleteObjectCommand({ Bucket: m[1], Key: key }));
      } finally {
        s3.destroy();
      }
      return { ok: true, detail: `${url} is reachable and writable` };
    }),
  );
  checks.push(
    await check('secrets provider', async () => {
      if (env.secrets.provider === 'passphrase') {
        const vars = engineEnv(env, opts, root ?? '/nonexistent');
        const via = vars.PULUMI_CONFIG_PASSPHRASE_FILE ? `file ${vars.PULUMI_CONFIG_PASSPHRASE_FILE}` : 'PULUMI_CONFIG_PASSPHRASE';
        return { ok: true, detail: `passphrase from ${via}` };
      }
      const u = new URL(env.secrets.provider);
      const keyId = decodeURIComponent(`${u.host}${u.pathname}`);
      const kms = new KMSClient({ region: u.searchParams.get('region') ?? env.regions.primary, ...(opts.aws as object) });
      try {
        const k = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
        const state = k.KeyMetadata?.KeyState;
        return state === 'Enabled'
          ? { ok: true, detail: `KMS key ${keyId} is enabled` }
          : { ok: false, detail: `KMS key ${keyId} is ${state ?? 'unknown'}`, hint: 'enable the key or fix secrets.provider' };
      } finally {
        kms.destroy();
      }
    }),
  );
  if (env.accountGuard === false) {
    checks.push({ name: 'aws account', ok: true, detail: `not checked: stacks/${env.name}.yaml sets accountGuard: false (its account ids are not real)` });
    return checks;
  }
  checks.push(
    await check('aws account', async () => {
      const id = await assertAccount(env, 1, { ...(opts.aws ? { sts: opts.aws } : {}), ...(opts.roleArn ? { roleArn: opts.roleArn } : {}) });
      return { ok: true, detail: `caller ${id.arn} is in account ${id.account}, as stacks/${env.name}.yaml says` };
    }),
  );
  checks.push(
    await check('eks token', async () => {
      const { eksToken } = await import('../../aws/eks-token.js');
      const t = await eksToken({
        cluster: env.cluster.name,
        region: env.regions.primary,
        sessionName: 'platform-doctor',
        ...(opts.roleArn ? { roleArn: opts.roleArn } : {}),
        ...(opts.aws?.endpoint ? { stsEndpoint: String(opts.aws.endpoint) } : {}),
        ...(isIdentity(opts.aws?.credentials) ? { credentials: opts.aws.credentials } : {}),
      });
      // The token itself is a credential: never shown.
      return { ok: true, detail: `a token for cluster ${env.cluster.name} is signed${opts.roleArn ? ` as ${opts.roleArn}` : ''} (valid until ${t.expirationTimestamp}); no AWS CLI needed` };
    }),
  );
  return checks;
}

function isIdentity(c: unknown): c is { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  return typeof c === 'object' && c !== null && typeof (c as { accessKeyId?: unknown }).accessKeyId === 'string';
}

function onPath(name: string, penv: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (penv.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * What Kubernetes access needs on this machine: nothing but this CLI (kubeconfigs run `platform
 * eks-token`; the engine reaches it through its own shim; gates mint tokens in-process). Reported, not
 * failed: the AWS CLI is not needed, and `platform` on PATH matters only for running kubectl by hand.
 */
function kubernetesAuthCheck(penv: NodeJS.ProcessEnv): DoctorCheck {
  const aws = onPath('aws', penv);
  const platform = onPath('platform', penv);
  return {
    name: 'kubernetes auth',
    ok: true,
    detail:
      `EKS tokens come from \`platform eks-token\`; the AWS CLI is not needed (${aws ? `found at ${aws}, unused` : 'not installed'}); ` +
      (platform ? `kubectl finds platform at ${platform}` : 'platform is not on PATH: the engine uses its own shim; for kubectl by hand, put `.cache/bin` (that shim) on PATH or install the CLI on Node 22 (see docs/runner-access.md)'),
  };
}

/** "PASS name: detail" / "FAIL name: detail (hint)" lines, for the CLI's host. */
export function doctorLines(checks: readonly DoctorCheck[]): string[] {
  return checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}${c.ok || !c.hint ? '' : `; ${c.hint}`}`);
}
