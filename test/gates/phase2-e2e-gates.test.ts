import { strict as assert } from 'node:assert';
import { EC2Client, CreateVolumeCommand, CreateVpcCommand, CreateSubnetCommand } from '@aws-sdk/client-ec2';
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from '@aws-sdk/client-kms';
import { Route53Client, CreateHostedZoneCommand, ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { EKSClient, CreateClusterCommand } from '@aws-sdk/client-eks';
import { gates } from '../../programs/02-cluster/gates.js';
import { parseOwnership } from '../../programs/02-cluster/gates-e2e.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import { runSuffix } from '../../src/gates/poll.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';
import { KubeReplay, kubeconfigFor, loadScenario, type RecordedResponse, type ReplayRequest } from './kube-replay.js';
import { AwsReplay, loadAwsRoutes } from './aws-replay.js';

const phase2: GatedPhase = { id: 2, gates };
const REGION = 'eu-west-1';
const SUFFIX = runSuffix(new FakeClock());
const OUTPUTS = {
  clusterName: 'stg-platform',
  defaultStorageClass: 'gp3',
  clusterSecretStoreName: 'aws-secretsmanager',
  istio: { ingressLbHostname: 'k8s-istioing-ingress-0a1b2c3d4e-5f6a7b8c9d0e1f2a.elb.eu-west-1.amazonaws.com' },
} as Record<string, unknown>;
const MANAGED = { 'app.kubernetes.io/managed-by': 'platform-gates' };

describe('phase 2 gates: Kubernetes side replayed, AWS side on moto', function () {
  this.timeout(120_000);
  let moto: Moto;
  let kube: KubeReplay | undefined;
  let aws: AwsReplay | undefined;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());
  // Every replay server a test starts (some tests run a gate twice) is stopped after it.
  const servers: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    kube = aws = undefined;
  });

  async function run(only: string, responses: RecordedResponse[], opts: { hook?: (r: ReplayRequest) => Promise<void>; awsEndpoint?: string } = {}) {
    kube = new KubeReplay(responses, opts.hook);
    servers.push(kube);
    const kubeconfig = kubeconfigFor(await kube.start());
    const env = testEnv();
    const outputs = { ...OUTPUTS, kubeconfig };
    const clock = new FakeClock();
    const probes = createProbes(env, outputs, { awsEndpoint: opts.awsEndpoint ?? moto.endpoint, awsCredentials: TEST_CREDENTIALS });
    const [result] = await runGates(phase2, { env, outputs, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only: [only], secretValues: [kubeconfig] });
    return { g: result as GateResult, clock, requests: kube.requests };
  }
  const calls = (reqs: ReplayRequest[], method: string) => reqs.filter((r) => r.method === method).map((r) => r.path);

  describe('storage-encrypted-pvc', () => {
    /** phase 1's EBS key under its alias, and an EBS volume as the CSI driver would create it. */
    async function volume(encryptWith: 'ebs-key' | 'other-key') {
      const kms = new KMSClient(motoConfig(moto, REGION));
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/platform/stg/ebs', TargetKeyId: key }));
      const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const v = await new EC2Client(motoConfig(moto, REGION)).send(new CreateVolumeCommand({
        AvailabilityZone: 'eu-west-1a', Size: 1, VolumeType: 'gp3', Encrypted: true, KmsKeyId: encryptWith === 'ebs-key' ? key : other,
      }));
      return { volumeId: v.VolumeId!, key, other };
    }
    const name = `platform-gate-${SUFFIX}`;

    it('binds after one Pending reading, finds the volume encrypted gp3 with the EBS key, then deletes pod and claim', async () => {
      const { volumeId, key } = await volume('ebs-key');
      const { g, clock, requests } = await run('storage-encrypted-pvc', loadScenario('pvc-pending-then-bound', { name, volumeId }));
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.deepEqual(clock.sleeps, [10_000]);
      assert.ok(g.evidence.includes(`PersistentVolumeClaim default/${name}: Bound to pvc-3f1c2a9e-7b4d-4e21-9a0c-5d6e7f809a1b`));
      assert.ok(g.evidence.includes(`EBS volume ${volumeId}: gp3, 1 GiB, Encrypted=true, KmsKeyId=${key}`));
      const pvcBody = JSON.parse(requests.find((r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims'))!.body);
      assert.deepEqual([pvcBody.spec.storageClassName, pvcBody.metadata.labels], ['gp3', MANAGED]);
      const podBody = JSON.parse(requests.find((r) => r.method === 'POST' && r.path.endsWith('/pods'))!.body);
      assert.equal(podBody.spec.volumes[0].persistentVolumeClaim.claimName, name);
      assert.deepEqual(calls(requests, 'DELETE'), [`/api/v1/namespaces/default/pods/${name}`, `/api/v1/namespaces/default/persistentvolumeclaims/${name}`], 'pod first, then its claim');
      assert.equal(g.evidence.at(-1), `deleted PersistentVolumeClaim default/${name}`);
    });

    it('fails at once when the volume is encrypted with another key, and still cleans up', async () => {
      const { volumeId, key, other } = await volume('other-key');
      const { g, clock, requests } = await run('storage-encrypted-pvc', loadScenario('pvc-pending-then-bound', { name, volumeId }));
      assert.equal(g.status, 'fail');
      assert.equal(g.evidence[0], `EBS volume ${volumeId} is encrypted with ${other}, not phase 1's EBS key ${key} (alias/platform/stg/ebs)`);
      assert.deepEqual(clock.sleeps, [10_000], 'no polling after a terminal verdict');
      assert.equal(calls(requests, 'DELETE').length, 2);
      assert.match(g.hint!, /kmsKeyId = alias\/platform\/stg\/ebs/);
    });

    it('a Lost claim is terminal: no waiting, evidence says Lost, objects deleted', async () => {
      await volume('ebs-key');
      const { g, clock, requests } = await run('storage-encrypted-pvc', loadScenario('pvc-lost', { name }));
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, []);
      assert.equal(g.evidence[0], `PersistentVolumeClaim default/${name}: Lost (its volume is gone) after 1 readings`);
      assert.equal(calls(requests, 'DELETE').length, 2);
    });
  });

  describe('coredns-resolves', () => {
    const name = `platform-gate-dns-${SUFFIX}`;

    it('passes when the nslookup Job completes, and deletes it', async () => {
      const { g, clock, requests } = await run('coredns-resolves', loadScenario('job-dns-complete', { name }));
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.deepEqual(clock.sleeps, [10_000]);
      const job = JSON.parse(requests.find((r) => r.method === 'POST')!.body);
      assert.equal(job.apiVersion, 'batch/v1');
      assert.equal(job.spec.template.spec.containers[0].command[2], 'nslookup kubernetes.default.svc.cluster.local && nslookup sts.eu-west-1.amazonaws.com');
      assert.deepEqual(calls(requests, 'DELETE'), [`/apis/batch/v1/namespaces/default/jobs/${name}`]);
      assert.ok(requests.find((r) => r.method === 'DELETE')!.query.includes('propagationPolicy=Background'), 'pods go with the Job');
    });

    it('a Failed Job is terminal and reports the nslookup output from the pod', async () => {
      const { g, clock, requests } = await run('coredns-resolves', loadScenario('job-dns-failed', { name }));
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, [10_000], 'one Pending reading, then the terminal Failed');
      assert.equal(g.evidence[0], `Job default/${name}: Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit`);
      assert.equal(g.evidence[1], `Pod ${name}-x7k2p container nslookup exited 1: ;; connection timed out; no servers could be reached`);
      assert.ok(requests.some((r) => r.path === '/api/v1/namespaces/default/pods' && decodeURIComponent(r.query).includes(`job-name=${name}`)));
      assert.deepEqual(calls(requests, 'DELETE'), [`/apis/batch/v1/namespaces/default/jobs/${name}`]);
    });
  });

  describe('external-dns-record', () => {
    const name = `platform-gate-dns-${SUFFIX}`;
    const host = `${name}.api.stg.example.com`;
    const svcPath = '/api/v1/namespaces/default/services';
    const responses: RecordedResponse[] = [
      { method: 'POST', path: svcPath, status: 201, body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'ExternalName' } } },
      { method: 'DELETE', path: `${svcPath}/${name}`, status: 200, body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' } } },
    ];

    /** moto's Route53 zone, and a stand-in for ExternalDNS that writes/removes records when the Service appears/goes. */
    async function externalDnsStandIn(o: { owner?: string; publish?: boolean; sync?: boolean } = {}) {
      const r53 = new Route53Client(motoConfig(moto, 'us-east-1'));
      const zoneId = (await r53.send(new CreateHostedZoneCommand({ Name: 'api.stg.example.com', CallerReference: 'api' }))).HostedZone!.Id!;
      const txt = `"heritage=external-dns,external-dns/owner=${o.owner ?? 'stg-platform'},external-dns/resource=service/default/${name}"`;
      const change = (Action: 'UPSERT' | 'DELETE') => r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [
        { Action, ResourceRecordSet: { Name: host, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: String(OUTPUTS.istio && (OUTPUTS.istio as any).ingressLbHostname) }] } },
        { Action, ResourceRecordSet: { Name: `cname-${host}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: txt }] } },
      ] } }));
      let published = false;
      const hook = async (r: ReplayRequest) => {
        if (r.method === 'POST' && r.path === svcPath && o.publish !== false) {
          await change('UPSERT');
          published = true;
        }
        if (r.method === 'DELETE' && published && o.sync !== false) await change('DELETE');
      };
      return { zoneId: zoneId.replace('/hostedzone/', ''), hook };
    }

    it('passes when the CNAME and its TXT ownership appear, and go after the Service is deleted', async () => {
      const { zoneId, hook } = await externalDnsStandIn();
      const { g, requests } = await run('external-dns-record', responses, { hook });
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      const svc = JSON.parse(requests.find((r) => r.method === 'POST')!.body);
      assert.equal(svc.metadata.annotations['external-dns.alpha.kubernetes.io/hostname'], host);
      assert.deepEqual(svc.spec, { type: 'ExternalName', externalName: (OUTPUTS.istio as any).ingressLbHostname });
      assert.ok(g.evidence.some((e) => e.startsWith(`Route53 ${zoneId}: CNAME ${host} -> k8s-istioing`) && e.includes(`TXT cname-${host} -> "heritage=external-dns,external-dns/owner=stg-platform`)));
      assert.equal(g.evidence.at(-1), `records for ${host} removed after the Service was deleted (policy sync)`);
      assert.equal(calls(requests, 'DELETE').length, 1);
    });

    it('fails at once when the TXT record belongs to another owner, and deletes the Service', async () => {
      const { hook } = await externalDnsStandIn({ owner: 'prod-platform' });
      const { g, clock, requests } = await run('external-dns-record', responses, { hook });
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, []);
      assert.match(g.evidence[0]!, new RegExp(`^${host.replace(/\./g, '\\.')} is owned by ExternalDNS owner 'prod-platform', not 'stg-platform'`));
      assert.deepEqual(calls(requests, 'DELETE'), [`${svcPath}/${name}`]);
    });

    it('times out when no record appears, reporting what it saw and deleting the Service', async () => {
      const { hook } = await externalDnsStandIn({ publish: false });
      const { g, requests } = await run('external-dns-record', responses, { hook });
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /^no address record plus TXT ownership \(owner stg-platform\) for .* after 41 readings; records: none$/);
      assert.match(g.evidence.at(-1)!, /timed out after 600000 ms \(1 attempt\)/);
      assert.deepEqual(calls(requests, 'DELETE'), [`${svcPath}/${name}`]);
    });

    it('fails when the records stay after the Service is deleted (policy is not sync)', async () => {
      const { hook } = await externalDnsStandIn({ sync: false });
      const { g } = await run('external-dns-record', responses, { hook });
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, new RegExp(`^records for ${host.replace(/\./g, '\\.')} are still in Route53 after the Service was deleted: CNAME`));
    });

    it('parses the TXT registry value', () => {
      assert.deepEqual(parseOwnership('"heritage=external-dns,external-dns/owner=stg-platform,external-dns/resource=service/default/x"'), {
        heritage: 'external-dns', 'external-dns/owner': 'stg-platform', 'external-dns/resource': 'service/default/x',
      });
    });
  });

  describe('secret-store-ready and metrics-api-available', () => {
    const store = (status: string, reason: string, message: string): RecordedResponse => ({
      method: 'GET', path: '/apis/external-secrets.io/v1/clustersecretstores/aws-secretsmanager', status: 200,
      body: { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'aws-secretsmanager', generation: 1 }, status: { capabilities: 'ReadWrite', conditions: [{ type: 'Ready', status, reason, message }] } },
    });
    const api = (status: string, reason: string, message: string): RecordedResponse => ({
      method: 'GET', path: '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io', status: 200,
      body: { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { name: 'metrics-server', namespace: 'kube-system', port: 443 } }, status: { conditions: [{ type: 'Available', status, reason, message }] } },
    });

    it('pass once the store validates and the APIService is Available', async () => {
      const s = await run('secret-store-ready', [store('False', 'InvalidProviderConfig', 'unable to validate store'), store('True', 'Valid', 'store validated')]);
      assert.equal(s.g.status, 'pass', s.g.evidence.join(' | '));
      assert.deepEqual(s.g.evidence, ['ClusterSecretStore aws-secretsmanager: Ready=True Valid: store validated']);
      assert.deepEqual(s.clock.sleeps, [15_000]);
      const a = await run('metrics-api-available', [api('True', 'Passed', 'all checks passed')]);
      assert.equal(a.g.status, 'pass');
      assert.deepEqual(a.g.evidence, ['APIService v1beta1.metrics.k8s.io: Available=True Passed: all checks passed']);
    });

    it('time out with the controller reason and a hint', async () => {
      const s = await run('secret-store-ready', [store('False', 'InvalidProviderConfig', 'unable to validate store')]);
      assert.equal(s.g.status, 'fail');
      assert.equal(s.g.evidence[0], 'ClusterSecretStore aws-secretsmanager: Ready=False InvalidProviderConfig: unable to validate store');
      assert.match(s.g.hint!, /Pod Identity association/);
      const a = await run('metrics-api-available', [api('False', 'FailedDiscoveryCheck', 'failing or missing response from https://10.20.45.3:10250/apis/metrics.k8s.io/v1beta1: context deadline exceeded')]);
      assert.equal(a.g.status, 'fail');
      assert.match(a.g.evidence[0]!, /^APIService v1beta1.metrics.k8s.io: Available=False FailedDiscoveryCheck: failing or missing response/);
      assert.match(a.g.evidence.at(-1)!, /timed out after 300000 ms/);
      const missing = await run('metrics-api-available', []);
      assert.equal(missing.g.evidence[0], 'APIService v1beta1.metrics.k8s.io is not registered');
    });
  });

  describe('cluster-active: cluster on moto EKS, add-ons recorded', () => {
    async function cluster(o: { privateAccess?: boolean } = {}) {
      const ec2 = new EC2Client(motoConfig(moto, REGION));
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
      const subnets = [
        (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.32.0/19', AvailabilityZone: 'eu-west-1a' }))).Subnet!.SubnetId!,
        (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.64.0/19', AvailabilityZone: 'eu-west-1b' }))).Subnet!.SubnetId!,
      ];
      const key = (await new KMSClient(motoConfig(moto, REGION)).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await new EKSClient(motoConfig(moto, REGION)).send(new CreateClusterCommand({
        name: 'stg-platform', version: '1.34', roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
        resourcesVpcConfig: { subnetIds: subnets, endpointPrivateAccess: o.privateAccess ?? true, endpointPublicAccess: false },
        encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: key } }],
        logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }] },
      }));
      return key;
    }
    async function runCluster(fixture: string) {
      aws = new AwsReplay(loadAwsRoutes(fixture, { cluster: 'stg-platform' }), moto.endpoint);
      servers.push(aws);
      return run('cluster-active', [], { awsEndpoint: await aws.start() });
    }

    it('passes: ACTIVE, private endpoint, KMS secrets, all log types, every add-on ACTIVE', async () => {
      const key = await cluster();
      const { g } = await runCluster('eks-addons-active');
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.equal(g.evidence[0], 'cluster stg-platform: status=ACTIVE, version=1.34, private=true, public=false');
      assert.equal(g.evidence[1], `secrets encrypted with ${key}`);
      assert.ok(g.evidence.includes('add-on aws-ebs-csi-driver v1.48.0-eksbuild.2: ACTIVE'));
      assert.equal(aws!.calls.filter((c) => c.service === 'eks' && c.replayed).length, 6, 'ListAddons + five DescribeAddon recorded');
      assert.ok(aws!.calls.some((c) => c.service === 'eks' && !c.replayed && c.path === '/clusters/stg-platform'), 'DescribeCluster answered by moto');
    });

    it('a DEGRADED add-on fails at once with its health issue', async () => {
      await cluster();
      const { g, clock } = await runCluster('eks-addons-degraded');
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, []);
      assert.equal(g.evidence[0], "add-on aws-ebs-csi-driver is DEGRADED: InsufficientNumberOfReplicas The add-on is unhealthy because it doesn't have the desired number of replicas.");
    });

    it('a cluster without private endpoint access fails at once', async () => {
      await cluster({ privateAccess: false });
      const { g, clock } = await runCluster('eks-addons-active');
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, []);
      assert.equal(g.evidence[0], 'private endpoint access is off');
    });
  });
});
