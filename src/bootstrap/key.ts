/**
 * The secrets key: a customer-managed symmetric KMS key (ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT) with
 * yearly automatic rotation, reached through the alias the file names. Its key policy is AWS's
 * default one (the account root may administer and use it; IAM policies then grant people and
 * runners), because a policy naming principals that may not exist yet fails CreateKey.
 *
 * An existing key is accepted when it is enabled, customer-managed, symmetric, in the right account,
 * and its policy allows no one outside the account; rotation off is a conflict that `--fix` turns on.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { awsErrorName, type Step } from './steps.js';
import { partitionOf, type BootstrapTarget, type KeySpec } from './target.js';

/** AWS's default key policy for `account`: the account root administers the key; IAM grants the rest. */
export function defaultKeyPolicy(account: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'platform-state-secrets',
    Statement: [
      {
        Sid: 'EnableIamUserPermissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partitionOf(region)}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** Principals of Allow statements that open the key to anyone (`*`) without a condition. */
export function openStatements(policy: string): string[] {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return ['(unparseable policy)'];
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return statements
    .filter((s: any) => s?.Effect === 'Allow' && !s.Condition)
    .filter((s: any) => s.Principal === '*' || (s.Principal?.AWS && [s.Principal.AWS].flat().includes('*')))
    .map((s: any) => String(s.Sid ?? '(no Sid)'));
}

export interface KeyInspection {
  steps: Step[];
  /** The existing key (its ARN encrypts the bucket). */
  existing?: { keyId: string; keyArn: string };
}

export async function inspectKey(kms: KMSClient, spec: KeySpec, t: BootstrapTarget): Promise<KeyInspection> {
  const name = spec.alias;
  const step = (setting: string, status: Step['status'], detail: string, extra: Partial<Step> = {}): Step => ({ resource: 'key', name, setting, status, detail, ...extra });
  let meta;
  try {
    meta = (await kms.send(new DescribeKeyCommand({ KeyId: spec.alias }))).KeyMetadata;
  } catch (e) {
    if (awsErrorName(e) !== 'NotFoundException') throw e;
  }
  if (!meta) {
    const tags = Object.entries(t.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
    const steps = [
      step('exists', 'create', `create a symmetric customer-managed key in ${spec.region} (key policy: account ${t.accountId} administers it)`, {
        apply: async (ctx) => {
          const k = await kms.send(
            new CreateKeyCommand({
              Description: `Pulumi secrets of ${t.label} (${t.file}); created by platform bootstrap`,
              KeyUsage: 'ENCRYPT_DECRYPT',
              KeySpec: 'SYMMETRIC_DEFAULT',
              Policy: defaultKeyPolicy(t.accountId, spec.region),
              Tags: tags,
            }),
          );
          ctx.keyId = k.KeyMetadata!.KeyId!;
          ctx.keyArn = k.KeyMetadata!.Arn!;
        },
      }),
      step('rotation', 'set', 'turn automatic key rotation on', { apply: async (ctx) => void (await kms.send(new EnableKeyRotationCommand({ KeyId: ctx.keyId! }))) }),
      step('alias', 'create', `create alias ${spec.alias}`, {
        apply: async (ctx) => void (await kms.send(new CreateAliasCommand({ AliasName: spec.alias, TargetKeyId: ctx.keyId! }))),
      }),
    ];
    return { steps };
  }
  const keyId = meta.KeyId!;
  const existing = { keyId, keyArn: meta.Arn! };
  const steps: Step[] = [step('exists', 'ok', `key ${keyId} in ${spec.region}`)];
  const bad = (setting: string, detail: string) => steps.push(step(setting, 'conflict', detail));
  if (meta.AWSAccountId && meta.AWSAccountId !== t.accountId) bad('account', `is in account ${meta.AWSAccountId}, ${t.file} names ${t.accountId}`);
  if (meta.KeyState !== 'Enabled') bad('state', `is ${meta.KeyState}, not Enabled`);
  if (meta.KeyManager !== 'CUSTOMER') bad('manager', `is ${meta.KeyManager}-managed; the secrets key must be customer-managed`);
  if (meta.KeySpec !== 'SYMMETRIC_DEFAULT' || meta.KeyUsage !== 'ENCRYPT_DECRYPT') bad('type', `is ${meta.KeySpec}/${meta.KeyUsage}; Pulumi needs SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT`);
  if (steps.length > 1) return { steps, existing };

  const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  steps.push(
    rotation.KeyRotationEnabled
      ? step('rotation', 'ok', 'automatic rotation is on')
      : step('rotation', 'conflict', 'automatic key rotation is off', {
          fix: { detail: 'turn automatic key rotation on', apply: async () => void (await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }))) },
        }),
  );
  const policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '{}';
  const open = openStatements(policy);
  steps.push(
    open.length === 0
      ? step('policy', 'ok', 'no statement allows every principal ("*") without a condition')
      : step('policy', 'conflict', `the key policy allows any principal without a condition (statement ${open.join(', ')})`),
  );
  return { steps, existing };
}
