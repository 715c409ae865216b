/**
 * Phase 2 gates (reference/phases.md, phase 2 "Gate"): the EKS cluster is ACTIVE with a private
 * endpoint, secrets encryption, every control-plane log type and API authentication, its add-ons
 * ACTIVE; every Node Ready; every platform workload passes the rollout predicates; Karpenter's
 * NodePools and EC2NodeClass are Ready; a staging Certificate becomes Ready. Kubernetes gates use the
 * kubeconfig of phase 2's outputs; the readiness rules come from src/gates/k8s/readiness.ts.
 *
 * Gates that create a throw-away object (the Certificate) are idempotent per poll: create it if it
 * is absent, judge it, and delete it once it passes, so polling never piles up objects.
 */
import { EKSClient, DescribeClusterCommand, ListAddonsCommand, DescribeAddonCommand } from '@aws-sdk/client-eks';
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { Evidence } from '../../src/gates/evidence.js';
import { crReady, daemonSetReady, deploymentReady, nodeReady, podProblems, statefulSetReady, type Readiness } from '../../src/gates/k8s/readiness.js';
import type { Phase2Outputs } from './phase.js';
import { e2eGates } from './gates-e2e.js';
import { apiGates } from './gates-apis.js';

type G = Gate<Phase2Outputs, Probes>;
const MIN = 60_000;

/** Namespaces whose workloads phase 2 installs. */
export const PLATFORM_NAMESPACES = ['kube-system', 'cert-manager', 'external-dns', 'external-secrets', 'istio-system', 'istio-ingress', 'monitoring', 'loki'] as const;
export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
/** Namespace and name of the throw-away Certificate the certificate gate issues. */
export const GATE_CERT = { namespace: 'cert-manager', name: 'platform-gate' } as const;

const clusterActive: G = {
  name: 'cluster-active',
  description: 'EKS cluster ACTIVE, private endpoint, secrets encrypted with KMS, all log types, API auth; add-ons ACTIVE and healthy',
  live: true,
  timeoutMs: 20 * MIN,
  intervalMs: 30_000,
  async check({ env, outputs, probes }) {
    const eks = probes.aws.client(EKSClient);
    const ev = new Evidence();
    const c = (await eks.send(new DescribeClusterCommand({ name: outputs.clusterName }))).cluster;
    const vpc = c?.resourcesVpcConfig;
    ev.saw(`cluster ${outputs.clusterName}: status=${c?.status}, version=${c?.version}, private=${vpc?.endpointPrivateAccess}, public=${vpc?.endpointPublicAccess}`);
    if (c?.status !== 'ACTIVE') ev.problem(`cluster is ${c?.status}`, c?.status === 'FAILED');
    if (vpc?.endpointPrivateAccess !== true) ev.problem('private endpoint access is off', true);
    if (vpc?.endpointPublicAccess !== env.cluster.endpointPublicAccess) ev.problem(`public endpoint access is ${vpc?.endpointPublicAccess}, the env file says ${env.cluster.endpointPublicAccess}`, true);
    const encrypted = (c?.encryptionConfig ?? []).some((e) => e.resources?.includes('secrets') && e.provider?.keyArn);
    if (!encrypted) ev.problem('Kubernetes secrets are not envelope-encrypted with a KMS key', true);
    else ev.saw(`secrets encrypted with ${c!.encryptionConfig![0]!.provider!.keyArn}`);
    const enabled = new Set((c?.logging?.clusterLogging ?? []).filter((l) => l.enabled).flatMap((l) => l.types ?? []));
    const missing = LOG_TYPES.filter((t) => !enabled.has(t));
    if (missing.length > 0) ev.problem(`control-plane log types off: ${missing.join(', ')}`, true);
    if (c?.accessConfig?.authenticationMode !== undefined && c.accessConfig.authenticationMode !== 'API') {
      ev.problem(`authentication mode is ${c.accessConfig.authenticationMode}, not API`, true);
    }
    if (c?.status === 'ACTIVE') {
      const names = (await eks.send(new ListAddonsCommand({ clusterName: outputs.clusterName }))).addons ?? [];
      for (const name of names) {
        const a = (await eks.send(new DescribeAddonCommand({ clusterName: outputs.clusterName, addonName: name }))).addon;
        const issues = a?.health?.issues ?? [];
        if (a?.status !== 'ACTIVE') ev.problem(`add-on ${name} is ${a?.status}${issues[0] ? `: ${issues[0].code} ${issues[0].message}` : ''}`, a?.status === 'CREATE_FAILED' || a?.status === 'DEGRADED');
        else if (issues.length > 0) ev.problem(`add-on ${name} has health issues: ${issues.map((i) => `${i.code} ${i.message}`).join('; ')}`);
        else ev.saw(`add-on ${name} ${a.addonVersion}: ACTIVE`);
      }
    }
    return ev.outcome('fix the cluster settings in phase 2 (or the env file) and run `platform up --phase 2`');
  },
};

const nodesReady: G = {
  name: 'nodes-ready',
  description: 'Every Node is Ready',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 15_000,
  after: ['cluster-active'],
  async check({ probes }) {
    const ev = new Evidence();
    const nodes = await probes.k8s.list('Node');
    if (nodes.length === 0) ev.problem('the cluster has no nodes');
    for (const n of nodes) {
      const r = nodeReady(n);
      if (r.ready) ev.saw(r.message);
      else ev.problem(r.message);
    }
    return ev.outcome('check the system node group in the EKS console (subnets, node role, IMDS)');
  },
};

/** Every Deployment, StatefulSet and DaemonSet in `namespaces` rolled out; no pod crash-looping. */
export function workloadsReadyGate(namespaces: readonly string[]): G {
  return {
    name: 'workloads-ready',
    description: `Every Deployment, StatefulSet and DaemonSet in ${namespaces.join(', ')} is rolled out`,
    live: true,
    timeoutMs: 15 * MIN,
    intervalMs: 20_000,
    after: ['cluster-active'],
    async check({ probes }) {
      const k = probes.k8s;
      const ev = new Evidence();
      for (const namespace of namespaces) {
        const verdicts: Readiness[] = [
          ...(await k.list('Deployment', { namespace })).map(deploymentReady),
          ...(await k.list('StatefulSet', { namespace })).map(statefulSetReady),
          ...(await k.list('DaemonSet', { namespace })).map(daemonSetReady),
        ];
        if (verdicts.length === 0) ev.problem(`namespace ${namespace} has no workloads`);
        let bad = 0;
        for (const v of verdicts) {
          if (v.ready) ev.saw(v.message);
          else {
            bad++;
            ev.problem(v.message, v.failed);
          }
        }
        if (bad > 0) for (const p of (await k.list('Pod', { namespace })).flatMap(podProblems)) ev.problem(p);
      }
      return ev.outcome('look at the failing pods: kubectl describe / logs; a ProgressDeadlineExceeded rollout needs a fixed image or values');
    },
  };
}

const karpenterReady: G = {
  name: 'karpenter-ready',
  description: 'Karpenter NodePools Ready with their NodeClass; the EC2NodeClass Ready with subnets, security groups, instance profile and AMIs',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  after: ['workloads-ready'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const nc = await probes.k8s.read({ kind: 'EC2NodeClass', name: outputs.karpenter.ec2NodeClass });
    if (!nc) ev.problem(`EC2NodeClass ${outputs.karpenter.ec2NodeClass} does not exist`);
    else {
      const r = crReady(nc, ['SubnetsReady', 'SecurityGroupsReady', 'InstanceProfileReady', 'AMIsReady']);
      if (r.ready) ev.saw(r.message);
      else ev.problem(r.message);
    }
    for (const name of outputs.karpenter.nodePools) {
      const np = await probes.k8s.read({ kind: 'NodePool', name });
      if (!np) ev.problem(`NodePool ${name} does not exist`);
      else {
        const r = crReady(np, ['NodeClassReady']);
        if (r.ready) ev.saw(r.message);
        else ev.problem(r.message);
      }
    }
    return ev.outcome('check the karpenter.sh/discovery tags on subnets and the cluster security group, and the node role');
  },
};

const certificateIssued: G = {
  name: 'certificate-issued',
  description: 'A Certificate from the staging ClusterIssuer becomes Ready (DNS-01 through Route53)',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  after: ['workloads-ready'],
  async check({ env, outputs, probes }) {
    const k = probes.k8s;
    const ev = new Evidence();
    const issuer = await k.read({ kind: 'ClusterIssuer', name: outputs.clusterIssuers.staging });
    const ir = issuer ? crReady(issuer) : undefined;
    if (!ir?.ready) return ev.problem(ir?.message ?? `ClusterIssuer ${outputs.clusterIssuers.staging} does not exist`).outcome('the ACME account is not registered: check the issuer e-mail and egress to the ACME server');
    ev.saw(ir.message);
    const host = `${GATE_CERT.name}.api.${env.domain}`;
    let cert = await k.read({ kind: 'Certificate', ...GATE_CERT });
    if (!cert) {
      cert = await k.create({
        kind: 'Certificate',
        metadata: { ...GATE_CERT, labels: { 'app.kubernetes.io/managed-by': 'platform-gates' } },
        spec: { secretName: `${GATE_CERT.name}-tls`, dnsNames: [host], issuerRef: { kind: 'ClusterIssuer', name: outputs.clusterIssuers.staging } },
      });
      ev.saw(`created Certificate ${GATE_CERT.namespace}/${GATE_CERT.name} for ${host}`);
    }
    const r = crReady(cert);
    if (!r.ready) return ev.problem(r.message).outcome('walk CertificateRequest -> Order -> Challenge (kubectl describe) for the DNS-01 reason; check the cert-manager role can change the api zone');
    ev.saw(r.message);
    await k.delete({ kind: 'Certificate', ...GATE_CERT });
    ev.saw(`deleted Certificate ${GATE_CERT.namespace}/${GATE_CERT.name}`);
    return ev.outcome('');
  },
};

/** The gates of phase 2, in the order they are reported. */
export const gates: G[] = [clusterActive, nodesReady, workloadsReadyGate(PLATFORM_NAMESPACES), karpenterReady, certificateIssued, ...apiGates, ...e2eGates];
