/**
 * IAM policy documents as typed data. Actions are plain strings (so they can be checked before any
 * resource exists); resources and condition values may be Pulumi inputs. `policyJson` serialises a
 * document with its inputs resolved; `assertLeastPrivilege` rejects Allow statements whose action is
 * a bare `*` (or `*:*`), the one shape no policy of the platform may carry.
 */
import * as pulumi from '@pulumi/pulumi';
import { PlatformError } from '../../src/core/errors.js';

export type ConditionBlock = Record<string, Record<string, pulumi.Input<string | boolean> | pulumi.Input<string>[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  NotResource?: pulumi.Input<string> | pulumi.Input<string>[];
  Principal?: '*' | Record<string, pulumi.Input<string> | pulumi.Input<string>[]>;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** A policy document from statements. */
export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** JSON text of a document, with every input resolved. */
export function policyJson(d: PolicyDocument): pulumi.Output<string> {
  return pulumi.jsonStringify(d);
}

/** Trust policy letting AWS services assume a role. */
export function serviceTrust(services: string | string[], condition?: ConditionBlock): PolicyDocument {
  return doc({
    Effect: 'Allow',
    Principal: { Service: services },
    Action: 'sts:AssumeRole',
    ...(condition ? { Condition: condition } : {}),
  });
}

/** Deny every S3 request that does not use TLS, on a bucket and its objects. */
export function s3TlsOnlyStatement(bucketArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Sids (or indexes) of Allow statements whose Action is `*` or `*:*`. */
export function wildcardAllowStatements(d: PolicyDocument): string[] {
  return d.Statement.flatMap((s, i) =>
    s.Effect === 'Allow' && asList(s.Action).some((a) => a === '*' || a === '*:*') ? [s.Sid ?? `#${i}`] : [],
  );
}

/** Throws when a document allows every action; returns the document otherwise. */
export function assertLeastPrivilege(name: string, d: PolicyDocument): PolicyDocument {
  const bad = wildcardAllowStatements(d);
  if (bad.length > 0) {
    throw new PlatformError('check-failed', `IAM policy '${name}' allows Action "*" in statement ${bad.join(', ')}`, {
      value: name,
      hint: 'list the actions the role needs; no platform policy may allow every action',
    });
  }
  return d;
}
