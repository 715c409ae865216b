/**
 * The simulate engine's synthetic state: deterministic (same stack/type/name/inputs, same values;
 * another stack, other values) and shaped like AWS (account ids, org/OU/policy ids, ARNs per
 * service, zone ids and name servers, awsx Vpc and eks Cluster component outputs, data-source calls).
 */
import { strict as assert } from 'node:assert';
import { syntheticState } from '../../src/engine/simulate/synthetic.js';
import type { SyntheticContext } from '../../src/engine/simulate/synthetic-values.js';

const ctx: SyntheticContext = { accountId: '111111111111', region: 'eu-west-1', stack: 'dev-01-foundation' };
const st = (type: string, name: string, inputs: Record<string, unknown> = {}, c = ctx) => syntheticState(type, name, inputs, c);
const call = (token: string, inputs: Record<string, unknown> = {}) => syntheticState(token, 'call', inputs, ctx).state as any;

describe('synthetic state', () => {
  it('is deterministic per (stack, type, name) and differs across stacks', () => {
    const a = st('aws:kms/key:Key', 'logs', { enableKeyRotation: true });
    assert.deepEqual(st('aws:kms/key:Key', 'logs', { enableKeyRotation: true }), a);
    assert.notEqual(st('aws:kms/key:Key', 'logs', {}, { ...ctx, stack: 'prod-01-foundation' }).id, a.id);
    assert.notEqual(st('aws:kms/key:Key', 'ebs').id, a.id);
    const vpc = { cidrBlock: '10.0.0.0/16', numberOfAvailabilityZones: 3, subnetSpecs: [{ type: 'Private' }] };
    assert.deepEqual(st('awsx:ec2:Vpc', 'v', vpc), st('awsx:ec2:Vpc', 'v', vpc));
  });

  it('echoes inputs into the state', () => {
    const s = st('aws:kms/key:Key', 'k', { enableKeyRotation: true, description: 'd' }).state;
    assert.equal(s.enableKeyRotation, true);
    assert.equal(s.description, 'd');
  });

  it('gives Organizations resources their real id formats', () => {
    const org = st('aws:organizations/organization:Organization', 'org', { enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'] });
    assert.match(org.id, /^o-[a-z0-9]{10}$/);
    const root = (org.state.roots as any[])[0];
    assert.match(root.id, /^r-[a-z0-9]{4}$/);
    assert.deepEqual(root.policyTypes, [{ type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' }]);
    assert.match(st('aws:organizations/account:Account', 'a').id, /^[1-9]\d{11}$/);
    assert.notEqual(st('aws:organizations/account:Account', 'a').id, st('aws:organizations/account:Account', 'b').id);
    assert.match(st('aws:organizations/organizationalUnit:OrganizationalUnit', 'ou').id, /^ou-[a-z0-9]{4}-[a-z0-9]{8}$/);
    assert.match(st('aws:organizations/policy:Policy', 'p').id, /^p-[a-z0-9]{8}$/);
  });

  it('builds ARNs per service with the account and region', () => {
    assert.equal(st('aws:iam/role:Role', 'r', { name: 'platform-deployer' }).state.arn, 'arn:aws:iam::111111111111:role/platform-deployer');
    assert.match(String(st('aws:iam/role:Role', 'node-role').state.arn), /^arn:aws:iam::111111111111:role\/node-role-[0-9a-f]{7}$/);
    const policy = st('aws:iam/policy:Policy', 'p', { name: 'loki' });
    assert.equal(policy.id, 'arn:aws:iam::111111111111:policy/loki');
    const key = st('aws:kms/key:Key', 'k');
    assert.match(String(key.state.arn), /^arn:aws:kms:eu-west-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(key.state.keyId, key.id);
    const q = st('aws:sqs/queue:Queue', 'q', { name: 'platform-dev' }).state;
    assert.equal(q.url, 'https://sqs.eu-west-1.amazonaws.com/111111111111/platform-dev');
    assert.equal(q.arn, 'arn:aws:sqs:eu-west-1:111111111111:platform-dev');
    const b = st('aws:s3/bucket:Bucket', 'b', { bucket: 'loki-chunks-dev-111111111111' });
    assert.deepEqual([b.id, b.state.arn], ['loki-chunks-dev-111111111111', 'arn:aws:s3:::loki-chunks-dev-111111111111']);
    assert.equal(st('aws:sns/topic:Topic', 't', { name: 'alerts' }).state.arn, 'arn:aws:sns:eu-west-1:111111111111:alerts');
    assert.equal(st('aws:backup/vault:Vault', 'v', { name: 'dr', region: 'eu-central-1' }).state.arn, 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr');
  });

  it('gives a Route53 zone a Z id and four name servers', () => {
    const z = st('aws:route53/zone:Zone', 'apex', { name: 'dev.example.com' });
    assert.match(z.id, /^Z[A-Z0-9]{20}$/);
    assert.equal(z.state.zoneId, z.id);
    const ns = z.state.nameServers as string[];
    assert.equal(ns.length, 4);
    assert.ok(ns.every((n) => /^ns-\d+\.awsdns-\d{2}\.(com|net|org|co\.uk)$/.test(n)));
  });

  it('returns the awsx Vpc outputs: one subnet per AZ and spec, NAT by strategy, endpoints, route tables', () => {
    const inputs = {
      cidrBlock: '10.10.0.0/16',
      numberOfAvailabilityZones: 3,
      subnetSpecs: [{ type: 'Private', name: 'private' }, { type: 'Public', name: 'public' }, { type: 'Isolated', name: 'data' }],
      natGateways: { strategy: 'OnePerAz' },
      vpcEndpointSpecs: [{ serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway' }],
    };
    const s = st('awsx:ec2:Vpc', 'vpc', inputs).state as any;
    assert.match(s.vpcId, /^vpc-[0-9a-f]{17}$/);
    for (const k of ['publicSubnetIds', 'privateSubnetIds', 'isolatedSubnetIds']) {
      assert.equal(s[k].length, 3, k);
      assert.ok(s[k].every((id: string) => /^subnet-[0-9a-f]{17}$/.test(id)));
    }
    assert.equal(new Set([...s.publicSubnetIds, ...s.privateSubnetIds, ...s.isolatedSubnetIds]).size, 9);
    assert.deepEqual(s.privateSubnets.map((x: any) => x.availabilityZone), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    assert.ok(s.privateSubnets.every((x: any) => x.mapPublicIpOnLaunch === false));
    assert.equal(s.natGateways.length, 3);
    assert.equal(s.eips.length, 3);
    assert.ok(s.eips.every((e: any) => /^203\.0\.113\.\d+$/.test(e.publicIp)));
    assert.equal(s.routeTableAssociations.length, 9);
    assert.deepEqual(s.routeTableAssociations.map((a: any) => a.subnetId), s.subnets.map((x: any) => x.id));
    assert.equal(s.vpcEndpoints[0].serviceName, 'com.amazonaws.eu-west-1.s3');
    const single = st('awsx:ec2:Vpc', 'vpc', { ...inputs, natGateways: { strategy: 'Single' } }).state as any;
    assert.equal(single.natGateways.length, 1);
  });

  it('returns an eks Cluster with a kubeconfig for its endpoint, the OIDC provider and security groups', () => {
    const s = st('eks:index:Cluster', 'cluster', { name: 'platform-dev', version: '1.34' }).state as any;
    const kc = JSON.parse(s.kubeconfigJson);
    assert.equal(kc.clusters[0].cluster.server, s.eksCluster.endpoint);
    assert.match(s.eksCluster.endpoint, /^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
    assert.equal(s.eksCluster.arn, 'arn:aws:eks:eu-west-1:111111111111:cluster/platform-dev');
    assert.ok(s.eksCluster.certificateAuthority.data.length > 0);
    assert.equal(s.core.oidcProvider.arn, `arn:aws:iam::111111111111:oidc-provider/${s.core.oidcProvider.url}`);
    assert.equal(s.oidcIssuer, `https://${s.core.oidcProvider.url}`);
    assert.match(s.clusterSecurityGroupId, /^sg-/);
    assert.match(s.nodeSecurityGroupId, /^sg-/);
    assert.equal(s.eksCluster.vpcConfig.clusterSecurityGroupId, s.clusterSecurityGroupId);
  });

  it('shapes aws.eks.Cluster and the OIDC provider', () => {
    const c = st('aws:eks/cluster:Cluster', 'c', { name: 'dr' }).state as any;
    assert.match(c.identities[0].oidcs[0].issuer, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    const url = c.identities[0].oidcs[0].issuer;
    const p = st('aws:iam/openIdConnectProvider:OpenIdConnectProvider', 'oidc', { url });
    assert.equal(p.id, `arn:aws:iam::111111111111:oidc-provider/${url.slice(8)}`);
  });

  it('answers data-source calls with their real shapes', () => {
    const sso = call('aws:ssoadmin/getInstances:getInstances');
    assert.match(sso.arns[0], /^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    assert.match(sso.identityStoreIds[0], /^d-[0-9a-f]{10}$/);
    assert.equal(call('aws:index/getCallerIdentity:getCallerIdentity').accountId, '111111111111');
    assert.equal(call('aws:index/getRegion:getRegion').name, 'eu-west-1');
    assert.equal(call('aws:index/getPartition:getPartition').partition, 'aws');
    assert.deepEqual(call('aws:index/getAvailabilityZones:getAvailabilityZones').names.slice(0, 3), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const rts = call('aws:ec2/getRouteTables:getRouteTables', { filters: [{ name: 'association.subnet-id', values: ['subnet-1', 'subnet-2'] }] });
    assert.equal(rts.ids.length, 2);
    assert.ok(rts.ids.every((id: string) => id.startsWith('rtb-')));
  });

  it('uses a resource region input over the context region, and keeps a generic shape for unknown types', () => {
    assert.match(String(st('aws:kms/key:Key', 'k', { region: 'eu-central-1' }).state.arn), /^arn:aws:kms:eu-central-1:/);
    // A type with no shape of its own (ECR repositories got theirs with phase 5).
    const other = st('aws:xray/group:Group', 'grp');
    assert.match(other.id, /^sim-[0-9a-f]{17}$/);
    assert.equal(other.state.arn, 'arn:aws:xray:eu-west-1:111111111111:grp');
    const repo = st('aws:ecr/repository:Repository', 'repo', { name: 'auth' });
    assert.equal(repo.state.repositoryUrl, '111111111111.dkr.ecr.eu-west-1.amazonaws.com/auth');
    assert.equal(repo.state.arn, 'arn:aws:ecr:eu-west-1:111111111111:repository/auth');
  });
});
