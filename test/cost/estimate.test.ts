import { strict as assert } from 'node:assert';
import { costDelta, estimateCost } from '../../src/cost/estimate.js';
import { ENV, fixturePrices, res } from './fixtures.js';

describe('cost: estimate from a plan', () => {
  const prices = fixturePrices();

  it('a known plan gives the total worked out by hand from the fixture table', () => {
    const plan = [
      res(1, 'aws:ec2/natGateway:NatGateway'), // 0.05 x 730 = 36.50
      res(1, 'aws:ec2/natGateway:NatGateway'), // 36.50
      res(1, 'aws:ec2/vpcEndpoint:VpcEndpoint', { vpcEndpointType: 'Interface', serviceName: 'com.amazonaws.eu-west-1.sts', subnetIds: ['a', 'b', 'c'] }), // 3 x 0.01 x 730 = 21.90
      res(1, 'aws:ec2/vpcEndpoint:VpcEndpoint', { vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.eu-west-1.s3' }), // free
      res(1, 'aws:kms/key:Key'), // 1.00
      res(1, 'aws:route53/zone:Zone'), // 0.50 (global price)
      res(1, 'aws:iam/role:Role'), // free
      res(1, 'aws:s3/bucket:Bucket'), // usage: listed, not priced
      res(2, 'aws:eks/cluster:Cluster'), // 0.1 x 730 = 73.00
      res(2, 'aws:eks/nodeGroup:NodeGroup', { instanceTypes: ['m6i.large', 'm6a.large'], scalingConfig: { desiredSize: 3, minSize: 1, maxSize: 5 }, diskSize: 50 }), // 3 x 0.1 x 730 = 219.00; 150 GiB x 0.08 = 12.00
      res(2, 'kubernetes:core/v1:ConfigMap', { data: {} }), // free (in-cluster)
    ];
    // phase 1: 36.50 + 36.50 + 21.90 + 1.00 + 0.50 = 96.40; phase 2: 73.00 + 219.00 + 12.00 = 304.00
    const e = estimateCost(plan, ENV, prices);
    assert.deepEqual(
      e.phases.map((p) => [p.phase, p.monthlyUsd]),
      [
        [1, 96.4],
        [2, 304],
      ],
    );
    assert.equal(e.totalMonthlyUsd, 400.4);
    assert.deepEqual(e.unpriced, []);
    assert.deepEqual(
      e.usage.map((g) => [g.type, g.count]),
      [['aws:s3/bucket:Bucket', 1]],
    );
    assert.ok(e.free.some((f) => f.type === 'aws:iam/role:Role'));
    assert.ok(e.free.some((f) => f.type === 'aws:ec2/vpcEndpoint:VpcEndpoint'), 'the gateway endpoint is free');
  });

  it('an unknown type and a price the table lacks are reported as unpriced by type, never as zero', () => {
    const plan = [
      res(3, 'aws:sagemaker/domain:Domain', {}, 'ml'),
      res(3, 'aws:ec2/instance:Instance', { instanceType: 'c7g.large', rootBlockDevice: { volumeSize: 10, volumeType: 'gp3' } }, 'box'),
      res(3, 'aws:kms/key:Key'),
    ];
    const e = estimateCost(plan, ENV, prices);
    // Only the key is priced: 1.00; the instance's volume is (10 x 0.08 = 0.80).
    assert.equal(e.totalMonthlyUsd, 1.8);
    assert.deepEqual(
      e.unpriced.map((g) => [g.type, g.count, g.reasons]),
      [
        ['aws:ec2/instance:Instance', 1, ['c7g.large x1: no price for ec2:c7g.large in eu-west-1 in the price table']],
        ['aws:sagemaker/domain:Domain', 1, ['no pricer for this type']],
      ],
    );
  });

  it("a resource's own region picks that region's price; a region the table lacks is unpriced", () => {
    const e = estimateCost(
      [
        res(1, 'aws:ec2/natGateway:NatGateway', { region: 'eu-central-1' }), // 0.06 x 730 = 43.80
        res(1, 'aws:ec2/natGateway:NatGateway', { region: 'us-east-2' }),
        // No region input: the endpoint service name gives eu-central-1 (the DR VPC in a plan).
        res(1, 'awsx:ec2:Vpc', { numberOfAvailabilityZones: 3, natGateways: { strategy: 'Single' }, vpcEndpointSpecs: [{ serviceName: 'com.amazonaws.eu-central-1.s3', vpcEndpointType: 'Gateway' }] }, 'dr'),
      ],
      ENV,
      prices,
    );
    // 43.80 + the DR VPC's one NAT gateway at eu-central-1 (43.80); its public IPv4 has no eu-central-1 price.
    assert.equal(e.totalMonthlyUsd, 87.6);
    assert.deepEqual(
      e.unpriced.flatMap((g) => g.reasons),
      [
        // grouped by type, types sorted: aws:ec2/natGateway before awsx:ec2:Vpc
        'NAT gateway (data processed not estimated): no price for vpc:nat-gateway in us-east-2 in the price table',
        'NAT public IPv4 x1: no price for vpc:public-ipv4 in eu-central-1 in the price table',
      ],
    );
  });

  it('a multi-language component is priced from its inputs, or through its children when the plan lists them (never both)', () => {
    const vpc = { numberOfAvailabilityZones: 3, natGateways: { strategy: 'OnePerAz' } };
    // Not expanded (the simulate engine): 3 NAT gateways (3 x 36.50) + 3 public IPv4 (3 x 3.65) = 120.45
    assert.equal(estimateCost([res(1, 'awsx:ec2:Vpc', vpc, 'net')], ENV, prices).totalMonthlyUsd, 120.45);
    // Expanded (the real engine's preview): the component is skipped, its 2 NAT gateway children count: 73.00
    const plan = [
      res(1, 'awsx:ec2:Vpc', vpc, 'net'),
      res(1, 'aws:ec2/natGateway:NatGateway', {}, 'net-1', 'awsx:ec2:Vpc'),
      res(1, 'aws:ec2/natGateway:NatGateway', {}, 'net-2', 'awsx:ec2:Vpc'),
    ];
    assert.equal(estimateCost(plan, ENV, prices).totalMonthlyUsd, 73);
  });

  it('volume claims are priced through their storage class; a LoadBalancer Service in chart values is an NLB', () => {
    const gp3 = (name: string, def = false) =>
      res(2, 'kubernetes:storage.k8s.io/v1:StorageClass', {
        metadata: { name, ...(def ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3' },
      });
    const plan = [
      gp3('gp3', true),
      gp3('gp3-retain'),
      // 2 replicas x 100Gi on the default class: 200 x 0.08 = 16.00
      res(4, 'kubernetes:apps/v1:StatefulSet', { spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '100Gi' } } } }] } }),
      // 3 x 0.5Ti = 1536 GiB x 0.08 = 122.88
      res(4, 'kubernetes:kafka.strimzi.io/v1:KafkaNodePool', { spec: { replicas: 3, storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', size: '0.5Ti', class: 'gp3-retain' }] } } }),
      // A class the plan does not define: unpriced
      res(4, 'kubernetes:apps/v1:StatefulSet', { spec: { replicas: 1, volumeClaimTemplates: [{ metadata: { name: 'x' }, spec: { storageClassName: 'io2', resources: { requests: { storage: '10Gi' } } } }] } }, 'odd'),
      // 0.025 x 730 = 18.25
      res(2, 'kubernetes:helm.sh/v3:Release', { chart: 'gateway', values: { service: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' } } } }),
      res(2, 'kubernetes:helm.sh/v3:Release', { chart: 'istiod', values: { pilot: { replicas: 2 } } }),
    ];
    const e = estimateCost(plan, ENV, prices);
    // 16.00 + 122.88 + 18.25 = 157.13
    assert.equal(e.totalMonthlyUsd, 157.13);
    assert.deepEqual(e.unpriced.flatMap((g) => g.reasons), ['volume claim x: storage class io2 is not an EBS CSI class in this plan']);
  });

  it('a spot node group and a Karpenter NodePool are listed as billed by use, not priced', () => {
    const e = estimateCost(
      [
        res(2, 'aws:eks/nodeGroup:NodeGroup', { capacityType: 'SPOT', instanceTypes: ['m6i.large'], scalingConfig: { desiredSize: 2 } }),
        res(2, 'kubernetes:karpenter.sh/v1:NodePool', { spec: {} }),
      ],
      ENV,
      prices,
    );
    assert.equal(e.totalMonthlyUsd, 0);
    assert.deepEqual(
      e.usage.map((g) => g.type),
      ['aws:eks/nodeGroup:NodeGroup', 'kubernetes:karpenter.sh/v1:NodePool'],
    );
  });

  it('costDelta: what a change adds per month, and the types it could not estimate', () => {
    const before = [res(2, 'aws:eks/nodeGroup:NodeGroup', { instanceTypes: ['m6i.large'], scalingConfig: { desiredSize: 2 }, diskSize: 20 }, 'ng'), res(2, 'aws:s3/bucket:Bucket')];
    const after = [res(2, 'aws:eks/nodeGroup:NodeGroup', { instanceTypes: ['m6i.large'], scalingConfig: { desiredSize: 4 }, diskSize: 20 }, 'ng'), res(2, 'aws:kms/key:Key')];
    // before: 2 x 73.00 + 40 GiB x 0.08 = 149.20; after: 4 x 73.00 + 80 x 0.08 + 1.00 = 299.40; delta 150.20
    const d = costDelta(2, before, after, ENV, prices);
    assert.deepEqual(d, { phase: 2, beforeUsd: 149.2, afterUsd: 299.4, deltaUsd: 150.2, notEstimated: ['aws:s3/bucket:Bucket'] });
    assert.equal(costDelta(2, after, [], ENV, prices).deltaUsd, -299.4);
  });
});
