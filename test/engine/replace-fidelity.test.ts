/**
 * The simulate engine decides replacements as the providers do (src/engine/simulate/replace-rules.ts:
 * the table generated from CloudFormation's createOnlyProperties, corrected to terraform-provider-aws's
 * ForceNew where they disagree, and the Kubernetes provider's rules; plus each resource's own
 * `replaceOnChanges`), and a replaced resource gets a new id that what references it sees.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformEvent } from '../../src/core/events.js';
import { stackName } from '../../src/core/phase.js';
import { forcesReplacement } from '../../src/engine/simulate/diff.js';
import { replacePaths } from '../../src/engine/simulate/replace-rules.js';
import { contractEnv } from '../helpers/env-fixtures.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { builtContract, type BuiltContract } from '../helpers/built.js';
import { VPC_FIXTURE_INPUTS, type VpcFixtureInputs } from './fixtures/vpc-phase.js';

const OU = 'aws:organizations/organizationalUnit:OrganizationalUnit';
const STORAGE_CLASS = 'kubernetes:storage.k8s.io/v1:StorageClass';

describe('simulate: replace decisions follow the providers', () => {
  it('an OU rename is an update (Name is not createOnly, no ForceNew), a move to another parent a replace (ParentId)', () => {
    const ou = { name: 'Prod', parentId: 'ou-root-workloads', tags: { owner: 'x' } };
    assert.equal(forcesReplacement(OU, ou, { ...ou, name: 'Production' }), false);
    assert.equal(forcesReplacement(OU, ou, { ...ou, parentId: 'ou-root-other' }), true);
    assert.equal(forcesReplacement(OU, ou, { ...ou, tags: { owner: 'y' } }), false);
  });

  it('an RDS instance: a new engine replaces it (ForceNew, though CFN updates it), a new subnet group or class does not', () => {
    const RDS = 'aws:rds/instance:Instance';
    const db = { engine: 'postgres', engineVersion: '16.4', instanceClass: 'db.t4g.medium', dbSubnetGroupName: 'a', identifier: 'orders' };
    assert.equal(forcesReplacement(RDS, db, { ...db, engine: 'mysql' }), true);
    assert.equal(forcesReplacement(RDS, db, { ...db, identifier: 'orders-2' }), true);
    assert.equal(forcesReplacement(RDS, db, { ...db, dbSubnetGroupName: 'b' }), false, 'CFN createOnly, but the provider moves the instance in place');
    assert.equal(forcesReplacement(RDS, db, { ...db, instanceClass: 'db.r6g.large', engineVersion: '16.6' }), false);
  });

  it('an EKS cluster: a new name or role replaces it; a new version, endpoint access or log types is an update', () => {
    const EKS = 'aws:eks/cluster:Cluster';
    const c = { name: 'prod', roleArn: 'arn:aws:iam::1:role/a', version: '1.33', vpcConfig: { endpointPublicAccess: false }, enabledClusterLogTypes: ['api'] };
    assert.equal(forcesReplacement(EKS, c, { ...c, name: 'prod-2' }), true);
    assert.equal(forcesReplacement(EKS, c, { ...c, roleArn: 'arn:aws:iam::1:role/b' }), true);
    assert.equal(forcesReplacement(EKS, c, { ...c, kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16' } }), true);
    assert.equal(forcesReplacement(EKS, c, { ...c, version: '1.34', vpcConfig: { endpointPublicAccess: true }, enabledClusterLogTypes: ['api', 'audit'] }), false);
    assert.equal(forcesReplacement('eks:index:Cluster', { name: 'prod', version: '1.33' }, { name: 'prod-2', version: '1.33' }), true, 'the remote component replaces with its cluster');
  });

  it('a DynamoDB table: a new hash key replaces it (ForceNew, not createOnly in CFN); billing mode is an update', () => {
    const T = 'aws:dynamodb/table:Table';
    const t = { name: 'locks', hashKey: 'LockID', billingMode: 'PAY_PER_REQUEST' };
    assert.equal(forcesReplacement(T, t, { ...t, hashKey: 'Id' }), true);
    assert.equal(forcesReplacement(T, t, { ...t, billingMode: 'PROVISIONED' }), false);
  });

  it('a new per-resource region replaces any regional AWS resource (the provider forces new on it)', () => {
    assert.equal(forcesReplacement('aws:sqs/queue:Queue', { name: 'q', region: 'eu-west-1' }, { name: 'q', region: 'eu-central-1' }), true);
  });

  it('a StorageClass rename, a new provisioner or new parameters replace it; allowVolumeExpansion does not', () => {
    const sc = { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' }, allowVolumeExpansion: true };
    assert.equal(forcesReplacement(STORAGE_CLASS, sc, { ...sc, metadata: { name: 'gp3-encrypted' } }), true);
    assert.equal(forcesReplacement(STORAGE_CLASS, sc, { ...sc, provisioner: 'ebs.csi.eks.amazonaws.com' }), true);
    assert.equal(forcesReplacement(STORAGE_CLASS, sc, { ...sc, parameters: { type: 'io2' } }), true);
    assert.equal(forcesReplacement(STORAGE_CLASS, sc, { ...sc, allowVolumeExpansion: false }), false);
  });

  it('every Kubernetes kind replaces on its identity; a custom resource only on it', () => {
    const crd = 'kubernetes:kafka.strimzi.io/v1:KafkaTopic';
    assert.deepEqual([...replacePaths(crd)!], ['metadata.name', 'metadata.namespace']);
    assert.equal(forcesReplacement(crd, { metadata: { name: 'a' }, spec: { partitions: 3 } }, { metadata: { name: 'a' }, spec: { partitions: 6 } }), false);
    assert.equal(forcesReplacement('kubernetes:apps/v1:Deployment', { spec: { selector: { matchLabels: { app: 'a' } } } }, { spec: { selector: { matchLabels: { app: 'b' } } } }), true);
  });

  it('components never replace; a type with no rule is reported as such (undefined), not guessed', () => {
    assert.deepEqual(replacePaths('platform:network:Network'), []);
    assert.equal(replacePaths('aws:made/up:Type'), undefined);
  });

  describe('through the simulate engine (a VPC, a subnet, a security group and a route table)', function () {
    // The built engine and fixture (workers on plain Node); each evaluation forks a child that loads
    // @pulumi/aws: seconds each, more on a loaded machine.
    this.timeout(600_000);
    let dir: string;
    const env = contractEnv('rp');
    let built: BuiltContract;
    let vpcPhase: AnyPhase;
    const stack = () => ({ env: env.name, phase: vpcPhase.id, slug: vpcPhase.slug, name: stackName(env.name, vpcPhase) });
    const engine = () => built.createSimulateEngine({ stateDir: join(dir, 'simulate', 'rp') });
    const request = (inputs: VpcFixtureInputs, events: PlatformEvent[]) => ({ stack: stack(), env, phase: vpcPhase, inputs, signal: new AbortController().signal, emit: (e: PlatformEvent) => events.push(e) });
    const opsOf = (events: PlatformEvent[]): Record<string, string> =>
      Object.fromEntries(events.flatMap((e) => (e.type === 'resource-op' && e.status === 'done' && e.resourceType !== 'pulumi:pulumi:Stack' ? [[e.name, e.op]] : [])));
    let first: Record<string, unknown>;

    before(async () => {
      built = await builtContract();
      vpcPhase = (await built.fixture('vpc-phase')).phase as AnyPhase;
      dir = await mkdtemp(join(tmpdir(), 'platform-replace-'));
      const result = await engine().up(request(VPC_FIXTURE_INPUTS, []));
      first = Object.fromEntries(Object.entries(result.outputs!).map(([k, v]) => [k, v.value]));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("previews a new subnet CIDR as the subnet's replace, and nothing else changes", async () => {
      const events: PlatformEvent[] = [];
      await engine().preview(request({ ...VPC_FIXTURE_INPUTS, subnetCidr: '10.0.2.0/24' }, events));
      assert.deepEqual(opsOf(events), { vpc: 'same', subnet: 'replace', group: 'same', routes: 'same' });
    });

    it('previews new tags as updates, except where replaceOnChanges names them (the route table is replaced)', async () => {
      const events: PlatformEvent[] = [];
      await engine().preview(request({ ...VPC_FIXTURE_INPUTS, owner: 'data' }, events));
      assert.deepEqual(opsOf(events), { vpc: 'update', subnet: 'update', group: 'update', routes: 'replace' });
    });

    it('a new VPC CIDR replaces the VPC with a new id, and everything in it follows (their vpcId changed)', async () => {
      const events: PlatformEvent[] = [];
      const second = await engine().up(request({ ...VPC_FIXTURE_INPUTS, cidr: '10.1.0.0/16' }, events));
      assert.deepEqual(opsOf(events), { vpc: 'replace', subnet: 'replace', group: 'replace', routes: 'replace' });
      for (const key of ['vpcId', 'subnetId', 'groupId', 'routeTableId']) {
        assert.notEqual(second.outputs![key]!.value, first[key], `${key}: a replaced resource has a new id`);
      }
      const again: PlatformEvent[] = [];
      await engine().up(request({ ...VPC_FIXTURE_INPUTS, cidr: '10.1.0.0/16' }, again));
      assert.deepEqual(new Set(Object.values(opsOf(again))), new Set(['same']), 'the same inputs again change nothing (ids are deterministic)');
    });
  });
});
