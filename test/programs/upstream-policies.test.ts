/**
 * The Karpenter controller and LBC policies are the pinned releases' own, generated from their
 * upstream files (W2 of the infra review: the hand copy lacked ec2:DescribeInstanceStatus and the
 * placement-group ARN, and used the ZonalShift form upstream replaced). Checks the statements that
 * matter, that the generated sources are the releases phase 2 installs, and the generator itself on
 * a small CloudFormation text.
 */
import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { instantiate, karpenterPolicies, type AddonScope } from '../../programs/01-foundation/addon-policies.js';
import { lbcPolicy } from '../../programs/01-foundation/lbc-policy.js';
import { gitBlobId, karpenterTemplatesFromCfn, renderLbc } from '../../programs/01-foundation/upstream-policies/generate.js';
import { KARPENTER_SOURCE } from '../../programs/01-foundation/upstream-policies/karpenter.generated.js';
import { LBC_SOURCE } from '../../programs/01-foundation/upstream-policies/lbc.generated.js';
import { chartPin } from '../../programs/02-cluster/versions.js';

const scope: AddonScope = {
  accountId: '111111111111',
  region: 'eu-west-1',
  clusterName: 'platform-dev',
  envName: 'dev',
  karpenterNodeRoleArn: 'arn:aws:iam::111111111111:role/KarpenterNodeRole-platform-dev',
  interruptionQueueArn: 'arn:aws:sqs:eu-west-1:111111111111:platform-dev',
  zoneArns: [],
  lokiBucketArns: [],
  s3KeyArn: 'k',
  ebsKeyArn: 'k',
  secretsKeyArn: 'k',
};
const clusterArn = 'arn:aws:eks:eu-west-1:111111111111:cluster/platform-dev';
const statements = () => Object.values(karpenterPolicies(scope)).flatMap((d) => d.Statement as any[]);
const sid = (id: string) => statements().find((s) => s.Sid === id);

describe('Karpenter controller policies (generated from v1.14.1 CloudFormation)', () => {
  it('come from the Karpenter release phase 2 installs', () => {
    assert.equal(KARPENTER_SOURCE.tag, `v${chartPin('karpenter').version}`);
  });

  it('allow ec2:DescribeInstanceStatus (instance-status health checks) in the region only', () => {
    const read = sid('AllowRegionalReadActions');
    assert.ok(read.Action.includes('ec2:DescribeInstanceStatus'));
    assert.deepEqual(read.Condition, { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
  });

  it('let RunInstances/CreateFleet use placement groups', () => {
    assert.ok(sid('AllowScopedEC2InstanceAccessActions').Resource.includes('arn:aws:ec2:eu-west-1:*:placement-group/*'));
  });

  it('use the ZonalShift form with Resource "*" and the arc-zonal-shift:ResourceIdentifier condition', () => {
    const zs = karpenterPolicies(scope).ZonalShift.Statement[0] as any;
    assert.equal(zs.Resource, '*');
    assert.deepEqual(zs.Action, ['arc-zonal-shift:GetManagedResource']);
    assert.deepEqual(zs.Condition, { StringEquals: { 'arc-zonal-shift:ResourceIdentifier': clusterArn } });
  });

  it('fill the cluster into condition keys and the node role and queue ARNs into their statements', () => {
    const create = sid('AllowScopedEC2InstanceActionsWithTags');
    assert.deepEqual(create.Condition.StringEquals, { 'aws:RequestTag/kubernetes.io/cluster/platform-dev': 'owned', 'aws:RequestTag/eks:eks-cluster-name': 'platform-dev' });
    assert.equal(sid('AllowPassingInstanceRole').Resource, scope.karpenterNodeRoleArn);
    assert.equal(sid('AllowInterruptionQueueActions').Resource, scope.interruptionQueueArn);
    assert.equal(sid('AllowAPIServerEndpointDiscovery').Resource, clusterArn);
    assert.ok(!JSON.stringify(statements()).includes('${'), 'no placeholder left');
  });

  it('keep a Pulumi output where a whole string is one placeholder, and refuse an unknown placeholder', () => {
    const out = pulumi.output('arn:aws:iam::1:role/x');
    assert.equal(instantiate('${KarpenterNodeRole.Arn}', { 'KarpenterNodeRole.Arn': out }), out);
    assert.throws(() => instantiate({ 'aws:ResourceTag/${Unknown}': 'x' }, {}), /Unknown/);
    assert.throws(() => instantiate('arn:${KarpenterNodeRole.Arn}:x', { 'KarpenterNodeRole.Arn': out }), /plain string/);
  });
});

describe('AWS Load Balancer Controller policy (generated from v3.4.2 iam_policy.json)', () => {
  it('comes from the controller release phase 2 installs and has its 16 statements', () => {
    assert.equal(LBC_SOURCE.tag, `v${chartPin('awsLoadBalancerController').version}`);
    assert.equal(lbcPolicy().Statement.length, 16);
    assert.deepEqual((lbcPolicy().Statement[0] as any).Condition, { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } });
  });
});

describe('upstream policy generator', () => {
  const cfn = [
    'Resources:',
    '  ZonalShiftPolicy:',
    '    Type: AWS::IAM::ManagedPolicy',
    '    Properties:',
    '      ManagedPolicyName: !Sub "KarpenterControllerZonalShiftPolicy-${ClusterName}"',
    '      PolicyDocument: !Sub |',
    '        {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Resource": "*", "Action": ["x:Y"]}]}',
    '  Queue:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    '      QueueName: !Sub "${ClusterName}"',
  ].join('\n');

  it('takes each KarpenterController*Policy document from the !Sub JSON, by part name', () => {
    assert.deepEqual(karpenterTemplatesFromCfn(cfn), {
      ZonalShift: { Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Resource: '*', Action: ['x:Y'] }] },
    });
  });

  it('refuses a template with no controller policies or an unexpected policy name', () => {
    assert.throws(() => karpenterTemplatesFromCfn('Resources: {}'), /no KarpenterController/);
    assert.throws(() => karpenterTemplatesFromCfn(cfn.replace('KarpenterControllerZonalShiftPolicy', 'Other')), /unexpected ManagedPolicyName/);
  });

  it('records the git blob id of its input (as git hash-object computes it)', () => {
    assert.equal(gitBlobId(Buffer.from('hello\n')), 'ce013625030ba8dba906f756967f9e9ca394464a');
    assert.match(renderLbc(Buffer.from('{"Statement":[{"Effect":"Allow"}]}'), 'v0'), /git blob [0-9a-f]{40}/);
  });
});
