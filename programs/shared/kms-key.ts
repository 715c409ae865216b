/**
 * A customer-managed KMS key with yearly rotation, a 30-day deletion window, an alias and a key
 * policy whose first statement keeps the account's IAM in control (so the key can never be orphaned).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, type PolicyStatement } from './iam-docs.js';

export interface KmsKeyArgs {
  description: string;
  /** Alias without the `alias/` prefix. */
  alias: string;
  /** The account that owns the key (its root principal administers it through IAM). */
  accountId: pulumi.Input<string>;
  /** Statements for services and roles that use the key. */
  statements?: PolicyStatement[];
  tags: Record<string, string>;
  /** Per-resource region (provider v7), for keys in the DR region. */
  region?: pulumi.Input<string>;
}

/** The key policy statement that delegates key administration to the account's IAM. */
export function accountRootStatement(accountId: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: 'AccountAdministersKeyThroughIam',
    Effect: 'Allow',
    Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
}

/** A rotating customer-managed KMS key plus its alias. */
export class KmsKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly arn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  readonly aliasName: pulumi.Output<string>;

  constructor(name: string, args: KmsKeyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:security:KmsKey', name, {}, opts);
    this.key = new aws.kms.Key(
      name,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyJson(doc(accountRootStatement(args.accountId), ...(args.statements ?? []))),
        tags: args.tags,
        ...(args.region !== undefined ? { region: args.region } : {}),
      },
      { parent: this },
    );
    const alias = new aws.kms.Alias(
      `${name}-alias`,
      {
        name: `alias/${args.alias}`,
        targetKeyId: this.key.keyId,
        ...(args.region !== undefined ? { region: args.region } : {}),
      },
      { parent: this },
    );
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ arn: this.arn, aliasName: this.aliasName });
  }
}
