import { strict as assert } from 'node:assert';
import type { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { toPolicyPackPolicies } from '../../src/checks/policy-pack.js';
import { allRules } from '../../src/checks/rules/index.js';

const notApplicable = (reason?: string): never => {
  throw new Error(`notApplicable ${reason}`);
};
function resourceArgs(type: string, name: string, props: Record<string, unknown>) {
  return { type, name, props, urn: `urn:pulumi:prod-02-cluster::platform::${type}::${name}`, opts: {} as any, isType: () => false, asType: () => undefined, getConfig: () => ({}) as any, stackTags: new Map(), notApplicable } as any;
}

describe('checks: the rules as a @pulumi/policy pack', () => {
  it('gives one mandatory policy per rule', async () => {
    const policies = await toPolicyPackPolicies();
    assert.deepEqual(policies.map((p) => p.name), allRules.map((r) => r.name));
    assert.ok(policies.every((p) => p.enforcementLevel === 'mandatory'));
  });

  it('a resource policy reports a violation with its property, and ignores other types', async () => {
    const policies = await toPolicyPackPolicies();
    const p = policies.find((x) => x.name === 'eks-secrets-encryption') as ResourceValidationPolicy;
    const got: string[] = [];
    const validate = p.validateResource as (a: unknown, r: (m: string) => void) => Promise<void>;
    await validate(resourceArgs('eks:index:Cluster', 'c', {}), (m) => got.push(m));
    assert.deepEqual(got, ['encryptionConfigKeyArn: no KMS key for Secrets encryption']);
    await validate(resourceArgs('aws:s3/bucket:Bucket', 'b', {}), (m) => got.push(m));
    assert.equal(got.length, 1);
  });

  it('a manifest policy loads its schema before validating', async () => {
    const policies = await toPolicyPackPolicies();
    const p = policies.find((x) => x.name === 'k8s-manifest-unknown-field') as ResourceValidationPolicy;
    const got: string[] = [];
    await (p.validateResource as any)(resourceArgs('kubernetes:core/v1:ConfigMap', 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, dataa: {} }), (m: string) => got.push(m));
    assert.deepEqual(got, ['dataa: unknown field dataa']);
  });

  it('a stack policy reports against the URN of the offending resource', async () => {
    const policies = await toPolicyPackPolicies();
    const p = policies.find((x) => x.name === 'vpc-flow-logs-enabled') as StackValidationPolicy;
    const got: [string, string | undefined][] = [];
    const vpc = resourceArgs('aws:ec2/vpc:Vpc', 'vpc', { cidrBlock: '10.0.0.0/16' });
    await (p.validateStack as any)({ resources: [vpc], getConfig: () => ({}), stackTags: new Map(), notApplicable }, (m: string, urn?: string) => got.push([m, urn]));
    assert.deepEqual(got, [['(flow log): no aws.ec2.FlowLog refers to this VPC', vpc.urn]]);
  });
});
