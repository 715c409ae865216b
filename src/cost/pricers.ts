/**
 * How each planned resource type turns into priced lines. Rules:
 * - a pricer reads only the resource's planned inputs (and, for storage classes and launch
 *   templates, other resources of the same plan); a price the table lacks makes the item
 *   `unpriced` with the key and region it needed, never zero;
 * - types billed by use (S3, logs, GuardDuty, Security Hub...) are `usage`: listed, not estimated;
 * - types with no charge of their own (IAM, security groups, in-cluster objects, which run on
 *   priced nodes) are `free`; our own `platform:*` components and `pulumi:*` bookkeeping are skipped;
 * - multi-language components (awsx:ec2:Vpc, eks:index:Cluster, eks:index:ManagedNodeGroup) are
 *   priced from their inputs only when the plan does not list their children (the simulate engine
 *   does not expand them; the real engine's preview does, and then the children are priced);
 * - any other type is `unpriced`: "no pricer for this type".
 */
import type { PlannedResource } from '../core/ports.js';
import type { Prices } from './price-table.js';
import type { CostLine, NotPriced } from './types.js';

export interface PriceContext {
  /** The env's primary region (a resource's own `region` input wins). */
  region: string;
  prices: Prices;
  /** Every resource of the plan (storage classes, launch templates, expanded components). */
  plan: readonly PlannedResource[];
}

export type Outcome = { kind: 'skip' } | { kind: 'free' } | { kind: 'priced'; lines: CostLine[]; missing: NotPriced[] };

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Collects lines and missing prices for one resource. */
class Bill {
  readonly lines: CostLine[] = [];
  readonly missing: NotPriced[] = [];
  constructor(
    private readonly r: PlannedResource,
    private readonly ctx: PriceContext,
  ) {}
  /**
   * The resource's region: its `region` input; else the region of a VPC endpoint service name in
   * its inputs (`com.amazonaws.<region>.<svc>`, always the endpoint's own region: how the DR VPC,
   * built through a DR-region provider, shows its region in a plan); else the env's primary region.
   */
  get region(): string {
    return str(this.r.inputs.region) ?? serviceRegion(this.r.inputs) ?? this.ctx.region;
  }
  /** Prices `quantity` units of `key`; a key the table lacks is reported unpriced. */
  add(key: string, quantity: number, item: string): this {
    if (quantity === 0) return this;
    const entry = this.ctx.prices.find(key, this.region);
    if (!entry) return this.miss('unpriced', `${item}: no price for ${key} in ${this.region} in the price table`);
    const unitUsd = this.ctx.prices.monthly(entry);
    this.lines.push({
      phase: this.r.phase,
      type: this.r.type,
      name: this.r.name,
      item,
      priceKey: key,
      region: entry.region,
      quantity,
      unit: entry.unit,
      unitUsd: entry.usd,
      monthlyUsd: round(quantity * unitUsd),
    });
    return this;
  }
  miss(kind: NotPriced['kind'], reason: string): this {
    this.missing.push({ phase: this.r.phase, type: this.r.type, name: this.r.name, kind, reason });
    return this;
  }
  done(): Outcome {
    return { kind: 'priced', lines: this.lines, missing: this.missing };
  }
}

function serviceRegion(inputs: Rec): string | undefined {
  const m = /"com\.amazonaws\.([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(JSON.stringify(inputs));
  return m?.[1];
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

type Pricer = (r: PlannedResource, bill: Bill, ctx: PriceContext) => void;

/** Bytes-free size parsing for Kubernetes quantities ("200Gi", "1Ti", "100G"), in GiB. */
export function gib(q: unknown): number | undefined {
  if (typeof q === 'number') return q / 2 ** 30;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? '').trim());
  if (!m) return undefined;
  const factor: Record<string, number> = { Ki: 2 ** -20, Mi: 2 ** -10, Gi: 1, Ti: 1024, K: 1e3 / 2 ** 30, M: 1e6 / 2 ** 30, G: 1e9 / 2 ** 30, T: 1e12 / 2 ** 30 };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 2 ** -30);
}

function nodeGroup(r: PlannedResource, bill: Bill, ctx: PriceContext): void {
  const i = r.inputs;
  const desired = num(rec(i.scalingConfig).desiredSize);
  if (desired === undefined) return void bill.miss('unpriced', 'scalingConfig.desiredSize is not known at plan time');
  if (String(i.capacityType ?? 'ON_DEMAND') === 'SPOT') return void bill.miss('usage', `${desired} spot node(s): spot prices vary by the hour; not estimated`);
  // On-demand managed node groups launch the first instance type while it has capacity (EKS's
  // "prioritized" on-demand allocation strategy); AWS's default type is t3.medium.
  const type = str(arr(i.instanceTypes)[0]) ?? 't3.medium';
  bill.add(`ec2:${type}`, desired, `${type} x${desired} (desired size)`);
  const disk = num(i.diskSize);
  if (disk !== undefined) return void bill.add('ebs:gp3', disk * desired, `root volumes ${disk} GiB x${desired}`);
  if (!i.launchTemplate) return void bill.add('ebs:gp3', 20 * desired, `root volumes 20 GiB (EKS default) x${desired}`);
  const lt = ctx.plan.find((p) => p.phase === r.phase && p.type === 'aws:ec2/launchTemplate:LaunchTemplate' && p.name === r.name);
  const ebs = rec(rec(arr(lt?.inputs.blockDeviceMappings)[0]).ebs);
  const size = num(ebs.volumeSize);
  if (size === undefined) return void bill.miss('unpriced', 'root volume size is in a launch template this plan does not show');
  volume(bill, str(ebs.volumeType) ?? 'gp2', size * desired, `root volumes ${size} GiB x${desired} (launch template)`);
}

function volume(bill: Bill, volumeType: string, gibTotal: number, item: string): void {
  bill.add(`ebs:${volumeType}`, round(gibTotal), item);
}

/** The EBS volume type behind a storage class name (or the default class), from the plan. */
function storageClassType(ctx: PriceContext, name: string | undefined): string | undefined {
  const classes = ctx.plan.filter((p) => p.type === 'kubernetes:storage.k8s.io/v1:StorageClass');
  const sc = classes.find((c) =>
    name ? rec(c.inputs.metadata).name === name : rec(rec(c.inputs.metadata).annotations)['storageclass.kubernetes.io/is-default-class'] === 'true',
  );
  if (!sc || !String(sc.inputs.provisioner ?? '').includes('ebs.csi.aws.com')) return undefined;
  return str(rec(sc.inputs.parameters).type) ?? 'gp3';
}

function claimVolumes(bill: Bill, ctx: PriceContext, replicas: number, claims: { size: unknown; cls: string | undefined; what: string }[]): void {
  for (const c of claims) {
    const size = gib(c.size);
    if (size === undefined) {
      bill.miss('unpriced', `${c.what}: size ${String(c.size)} not understood`);
      continue;
    }
    const t = storageClassType(ctx, c.cls);
    if (!t) {
      bill.miss('unpriced', `${c.what}: storage class ${c.cls ?? '(default)'} is not an EBS CSI class in this plan`);
      continue;
    }
    volume(bill, t, size * replicas, `${c.what} ${size} GiB x${replicas} (${t})`);
  }
}

/** Service objects of type LoadBalancer anywhere in a value (a Service spec or chart values). */
function loadBalancerServices(v: unknown, out: Rec[] = []): Rec[] {
  if (Array.isArray(v)) v.forEach((e) => loadBalancerServices(e, out));
  else if (v && typeof v === 'object') {
    const o = v as Rec;
    if (o.type === 'LoadBalancer') out.push(o);
    for (const e of Object.values(o)) loadBalancerServices(e, out);
  }
  return out;
}

function loadBalancers(bill: Bill, services: Rec[]): void {
  for (const s of services) {
    const ann = rec(s.annotations);
    const lbType = String(ann['service.beta.kubernetes.io/aws-load-balancer-type'] ?? '');
    const nlb = lbType === 'external' || lbType === 'nlb' || s.loadBalancerClass === 'service.k8s.aws/nlb';
    if (nlb) bill.add('elb:network', 1, 'network load balancer (Service type LoadBalancer; LCUs not estimated)');
    else bill.miss('unpriced', 'Service type LoadBalancer without the NLB annotation: a Classic Load Balancer, not in the price table');
  }
}

function expanded(ctx: PriceContext, r: PlannedResource): boolean {
  return ctx.plan.some((p) => p !== r && p.phase === r.phase && (p.urn.includes(`::${r.type}$`) || p.urn.includes(`$${r.type}$`)));
}

const PRICERS: Record<string, Pricer> = {
  'aws:eks/cluster:Cluster': (_r, b) => b.add('eks:cluster', 1, 'EKS control plane (standard support)'),
  'eks:index:Cluster': (_r, b) => b.add('eks:cluster', 1, 'EKS control plane (standard support)'),
  'aws:eks/nodeGroup:NodeGroup': nodeGroup,
  'eks:index:ManagedNodeGroup': nodeGroup,
  'aws:ec2/instance:Instance': (r, b) => {
    const type = str(r.inputs.instanceType);
    if (!type) return void b.miss('unpriced', 'instanceType is not set in the plan (launch template)');
    b.add(`ec2:${type}`, 1, `${type} x1`);
    const root = rec(r.inputs.rootBlockDevice);
    const size = num(root.volumeSize);
    if (size === undefined) b.miss('unpriced', 'root volume size comes from the AMI');
    else volume(b, str(root.volumeType) ?? 'gp3', size, `root volume ${size} GiB`);
  },
  'aws:ebs/volume:Volume': (r, b) => {
    const size = num(r.inputs.size);
    if (size === undefined) return void b.miss('unpriced', 'size comes from a snapshot');
    volume(b, str(r.inputs.type) ?? 'gp2', size, `volume ${size} GiB`);
  },
  'aws:ec2/natGateway:NatGateway': (_r, b) => b.add('vpc:nat-gateway', 1, 'NAT gateway (data processed not estimated)'),
  'aws:ec2/eip:Eip': (_r, b) => b.add('vpc:public-ipv4', 1, 'public IPv4 address'),
  'awsx:ec2:Vpc': (r, b) => {
    const azs = num(r.inputs.numberOfAvailabilityZones) ?? (arr(r.inputs.availabilityZoneNames).length || 3);
    const strategy = String(rec(r.inputs.natGateways).strategy ?? 'OnePerAz');
    const nats = strategy === 'None' ? 0 : strategy === 'Single' ? 1 : azs;
    b.add('vpc:nat-gateway', nats, `NAT gateways x${nats} (${strategy}; data processed not estimated)`);
    b.add('vpc:public-ipv4', nats, `NAT public IPv4 x${nats}`);
    for (const s of arr(r.inputs.vpcEndpointSpecs)) {
      if (rec(s).vpcEndpointType === 'Interface') b.add('vpc:interface-endpoint', azs, `interface endpoint ${String(rec(s).serviceName)} x${azs} AZ`);
    }
  },
  'aws:ec2/vpcEndpoint:VpcEndpoint': (r, b) => {
    const t = String(r.inputs.vpcEndpointType ?? 'Gateway');
    if (t === 'Gateway') return;
    if (t !== 'Interface') return void b.miss('unpriced', `${t} endpoints are not in the price table`);
    const azs = arr(r.inputs.subnetIds).length;
    if (azs === 0) return void b.miss('unpriced', 'interface endpoint without subnetIds in the plan: its AZ count is unknown');
    b.add('vpc:interface-endpoint', azs, `interface endpoint ${String(r.inputs.serviceName ?? '')} x${azs} AZ (data processed not estimated)`);
  },
  'aws:lb/loadBalancer:LoadBalancer': (r, b) => {
    const t = String(r.inputs.loadBalancerType ?? 'application');
    if (t === 'network' || t === 'application') b.add(`elb:${t}`, 1, `${t} load balancer (LCUs not estimated)`);
    else b.miss('unpriced', `${t} load balancers are not in the price table`);
  },
  'aws:kms/key:Key': (_r, b) => b.add('kms:key', 1, 'customer managed key (requests not estimated)'),
  'aws:kms/replicaKey:ReplicaKey': (_r, b) => b.add('kms:key', 1, 'replica key'),
  'aws:route53/zone:Zone': (_r, b) => b.add('route53:hosted-zone', 1, 'hosted zone (queries not estimated)'),
  'aws:secretsmanager/secret:Secret': (_r, b) => b.add('secretsmanager:secret', 1, 'secret (API calls not estimated)'),
  'aws:cloudwatch/metricAlarm:MetricAlarm': (r, b) => {
    if ((num(r.inputs.period) ?? 60) < 60) return void b.miss('unpriced', 'high-resolution alarms are not in the price table');
    b.add('cloudwatch:alarm', 1, 'standard-resolution alarm');
  },
  'aws:networkfirewall/firewall:Firewall': (r, b) => {
    const n = arr(r.inputs.subnetMappings).length;
    b.add('network-firewall:endpoint', n, `firewall endpoints x${n} (traffic processed not estimated)`);
  },
  'aws:rds/instance:Instance': (r, b) => {
    const cls = str(r.inputs.instanceClass);
    const engine = str(r.inputs.engine) ?? 'postgres';
    const n = r.inputs.multiAz === true ? 2 : 1;
    if (!cls) return void b.miss('unpriced', 'instanceClass is not set in the plan');
    b.add(`rds:${cls}:${engine}`, n, `${cls} ${engine} x${n}${n === 2 ? ' (Multi-AZ)' : ''}`);
    b.miss('unpriced', 'RDS storage and backups are not in the price table');
  },
  'aws:msk/cluster:Cluster': (r, b) => {
    const info = rec(r.inputs.brokerNodeGroupInfo);
    const brokers = num(r.inputs.numberOfBrokerNodes) ?? 0;
    const type = str(info.instanceType);
    if (!type) return void b.miss('unpriced', 'broker instance type is not set in the plan');
    b.add(`msk:${type}`, brokers, `${type} brokers x${brokers}`);
    const size = num(rec(rec(info.storageInfo).ebsStorageInfo).volumeSize);
    if (size !== undefined) b.add('msk:storage', size * brokers, `broker storage ${size} GiB x${brokers}`);
  },
  'kubernetes:core/v1:Service': (r, b) => {
    const spec = rec(r.inputs.spec);
    if (spec.type !== 'LoadBalancer') return;
    loadBalancers(b, [{ ...spec, annotations: rec(r.inputs.metadata).annotations }]);
  },
  'kubernetes:helm.sh/v3:Release': (r, b) => loadBalancers(b, loadBalancerServices(r.inputs.values)),
  'kubernetes:apps/v1:StatefulSet': (r, b, ctx) => {
    const spec = rec(r.inputs.spec);
    const replicas = num(spec.replicas) ?? 1;
    claimVolumes(
      b,
      ctx,
      replicas,
      arr(spec.volumeClaimTemplates).map((t) => ({
        size: rec(rec(rec(rec(t).spec).resources).requests).storage,
        cls: str(rec(rec(t).spec).storageClassName),
        what: `volume claim ${String(rec(rec(t).metadata).name ?? '')}`,
      })),
    );
  },
  'kubernetes:core/v1:PersistentVolumeClaim': (r, b, ctx) => {
    const spec = rec(r.inputs.spec);
    claimVolumes(b, ctx, 1, [{ size: rec(rec(spec.resources).requests).storage, cls: str(spec.storageClassName), what: 'volume claim' }]);
  },
  'kubernetes:kafka.strimzi.io/v1:KafkaNodePool': (r, b, ctx) => {
    const spec = rec(r.inputs.spec);
    const storage = rec(spec.storage);
    const vols = storage.type === 'jbod' ? arr(storage.volumes) : [storage];
    claimVolumes(
      b,
      ctx,
      num(spec.replicas) ?? 1,
      vols.filter((v) => rec(v).type === 'persistent-claim').map((v) => ({ size: rec(v).size, cls: str(rec(v).class), what: `Kafka volume ${String(rec(v).id ?? 0)}` })),
    );
  },
};

/** Billed by use: the plan says nothing about the volume, so no number is made up. */
const USAGE: Record<string, string> = {
  'aws:s3/bucket:Bucket': 'S3 storage and requests',
  'aws:s3/bucketV2:BucketV2': 'S3 storage and requests',
  'aws:cloudwatch/logGroup:LogGroup': 'log ingestion and storage',
  'aws:cloudwatch/dashboard:Dashboard': 'dashboards beyond the free three',
  'aws:cloudwatch/eventRule:EventRule': 'custom and cross-account events',
  'aws:cloudtrail/trail:Trail': 'management events beyond the first copy, data events',
  'aws:guardduty/detector:Detector': 'events and logs analysed',
  'aws:guardduty/detectorFeature:DetectorFeature': 'protection plan usage (runtime, EKS audit, S3)',
  'aws:securityhub/account:Account': 'security checks and findings ingested',
  'aws:securityhub/standardsSubscription:StandardsSubscription': 'security checks run',
  'aws:inspector2/enabler:Enabler': 'instances and images scanned',
  'aws:cfg/recorder:Recorder': 'configuration items recorded',
  'aws:cfg/rule:Rule': 'rule evaluations',
  'aws:accessanalyzer/analyzer:Analyzer': 'unused-access analysis per role or user (external access is free)',
  'aws:sqs/queue:Queue': 'requests',
  'aws:sns/topic:Topic': 'publishes and deliveries',
  'aws:ecr/repository:Repository': 'image storage and transfer',
  'aws:ec2/flowLog:FlowLog': 'flow log data delivered',
  'aws:backup/vault:Vault': 'backup storage',
  'aws:backup/plan:Plan': 'backup storage and cross-region copies',
  'aws:dlm/lifecyclePolicy:LifecyclePolicy': 'snapshot storage',
  'aws:lambda/function:Function': 'requests and duration',
  'aws:scheduler/schedule:Schedule': 'invocations',
  'aws:fis/experimentTemplate:ExperimentTemplate': 'action-minutes when an experiment runs',
  'aws:budgets/budget:Budget': 'budgets beyond the free two with actions',
  'aws:ecr/replicationConfiguration:ReplicationConfiguration': 'replicated image storage and transfer',
  'kubernetes:karpenter.sh/v1:NodePool': 'nodes Karpenter launches follow the pods scheduled (bounded by the pool limits)',
};

/** No charge of their own. Prefixes end in `*`. */
const FREE: readonly string[] = [
  'aws:iam/*',
  'aws:organizations/*',
  'aws:ssoadmin/*',
  'aws:identitystore/*',
  'aws:ec2/securityGroup*',
  'aws:vpc/securityGroup*',
  'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup',
  'aws:ec2/launchTemplate:LaunchTemplate',
  'aws:ec2/tag:Tag',
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/routeTable*',
  'aws:ec2/route:Route',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:route53/record:Record',
  'aws:s3/bucketPolicy:BucketPolicy',
  'aws:s3/bucketVersioning*',
  'aws:s3/bucketLogging*',
  'aws:s3/bucketLifecycleConfiguration*',
  'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  'aws:s3/bucketServerSideEncryptionConfiguration*',
  'aws:s3/bucketReplicationConfig:BucketReplicationConfig',
  'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock',
  'aws:kms/alias:Alias',
  'aws:eks/addon:Addon',
  'aws:eks/podIdentityAssociation:PodIdentityAssociation',
  'aws:eks/accessEntry:AccessEntry',
  'aws:eks/accessPolicyAssociation:AccessPolicyAssociation',
  'aws:ebs/encryptionByDefault:EncryptionByDefault',
  'aws:ebs/defaultKmsKey:DefaultKmsKey',
  'aws:cloudwatch/eventTarget:EventTarget',
  'aws:cloudwatch/eventBus:EventBus',
  'aws:cloudwatch/logResourcePolicy:LogResourcePolicy',
  'aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter',
  'aws:ecr/lifecyclePolicy:LifecyclePolicy',
  'aws:ecr/repositoryPolicy:RepositoryPolicy',
  'aws:sqs/queuePolicy:QueuePolicy',
  'aws:sns/topicPolicy:TopicPolicy',
  'aws:sns/topicSubscription:TopicSubscription',
  'aws:cfg/deliveryChannel:DeliveryChannel',
  'aws:cfg/recorderStatus:RecorderStatus',
  'aws:secretsmanager/secretVersion:SecretVersion',
  'aws:secretsmanager/secretPolicy:SecretPolicy',
  'aws:backup/selection:Selection',
  'aws:backup/vaultPolicy:VaultPolicy',
  'aws:backup/vaultNotifications:VaultNotifications',
  'aws:lambda/permission:Permission',
  'aws:sqs/redriveAllowPolicy:RedriveAllowPolicy',
  // In-cluster objects run on the nodes priced above (LoadBalancer Services, charts that make one,
  // and volume claims have pricers of their own).
  'kubernetes:*',
];

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** Prices one planned resource. */
export function priceResource(r: PlannedResource, ctx: PriceContext): Outcome {
  if (r.type.startsWith('pulumi:') || r.type.startsWith('platform:')) return { kind: 'skip' };
  const bill = new Bill(r, ctx);
  const pricer = PRICERS[r.type];
  if (pricer) {
    // A multi-language component whose children the plan lists is priced through its children.
    if (!r.type.startsWith('aws:') && !r.type.startsWith('kubernetes:') && expanded(ctx, r)) return { kind: 'skip' };
    pricer(r, bill, ctx);
    if (bill.lines.length === 0 && bill.missing.length === 0) return { kind: 'free' };
    return bill.done();
  }
  const usage = USAGE[r.type];
  if (usage) return bill.miss('usage', `billed by use (${usage})`).done();
  if (FREE.some((p) => matches(p, r.type))) return { kind: 'free' };
  return bill.miss('unpriced', 'no pricer for this type').done();
}
