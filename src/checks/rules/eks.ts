/**
 * EKS rules (reference/reliability.md §3 rows 1-6). They read both the plain `aws:eks/cluster:Cluster`
 * (properties under `vpcConfig`, `encryptionConfig`) and the `eks:index:Cluster` component (flat
 * arguments), because pulumi-eks defaults are unsafe: public endpoint on, private off, no logging,
 * no secrets encryption.
 */
import type { ResourceRule } from '../types.js';
import { list, openToWorld } from '../util.js';

const AWS_CLUSTER = 'aws:eks/cluster:Cluster';
const EKS_CLUSTER = 'eks:index:Cluster';
const CLUSTERS = [AWS_CLUSTER, EKS_CLUSTER] as const;

/** Where a cluster property lives for each type (the AWS default applies when it is absent). */
function prop(type: string, aws: string, eks: string): string {
  return type === AWS_CLUSTER ? aws : eks;
}
function read(props: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as any)[k] : undefined), props);
}

export const ALL_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * End of standard support per EKS minor (AWS EKS version calendar). A version past its date runs on
 * paid extended support and is reported; a version missing from the table is reported too, so the
 * table is updated rather than a new version passing unchecked.
 */
export const EKS_STANDARD_SUPPORT_END: Readonly<Record<string, string>> = {
  '1.29': '2025-03-23',
  '1.30': '2025-07-23',
  '1.31': '2025-11-26',
  '1.32': '2026-03-23',
  '1.33': '2026-07-29',
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};

export const eksRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'eks-endpoint-private',
    description: 'EKS API endpoint is private: private access on, public access off',
    severity: 'high',
    mirrors: ['CKV_AWS_39', 'AVD-AWS-0040', 'aws-eks-cluster-disallow-api-endpoint-public-access', 'CIS EKS 5.4.2'],
    fix: 'set endpointPrivateAccess: true and endpointPublicAccess: false (cluster.endpointPublicAccess in the env file)',
    resourceTypes: CLUSTERS,
    validateResource(r, report) {
      const pub = prop(r.type, 'vpcConfig.endpointPublicAccess', 'endpointPublicAccess');
      const priv = prop(r.type, 'vpcConfig.endpointPrivateAccess', 'endpointPrivateAccess');
      if (read(r.props, pub) !== false) report({ property: pub, message: 'the EKS API endpoint is public (public access is on unless set to false)' });
      if (read(r.props, priv) !== true) report({ property: priv, message: 'the EKS private endpoint is off (it is off unless set to true)' });
    },
  },
  {
    kind: 'resource',
    name: 'eks-public-endpoint-cidrs',
    description: 'A public EKS endpoint is restricted to named CIDRs, never 0.0.0.0/0 or ::/0',
    severity: 'high',
    mirrors: ['CKV_AWS_38', 'AVD-AWS-0041', 'CIS EKS 5.4.1'],
    fix: 'list the runner CIDRs in publicAccessCidrs (cluster.publicAccessCidrs in the env file), or make the endpoint private',
    resourceTypes: CLUSTERS,
    validateResource(r, report) {
      const pubPath = prop(r.type, 'vpcConfig.endpointPublicAccess', 'endpointPublicAccess');
      if (read(r.props, pubPath) === false) return;
      const path = prop(r.type, 'vpcConfig.publicAccessCidrs', 'publicAccessCidrs');
      const cidrs = read(r.props, path);
      if (list(cidrs).length === 0) report({ property: path, message: 'the public endpoint has no CIDR list, so it defaults to 0.0.0.0/0' });
      else if (openToWorld(cidrs)) report({ property: path, message: 'the public endpoint is open to 0.0.0.0/0 or ::/0' });
    },
  },
  {
    kind: 'resource',
    name: 'eks-secrets-encryption',
    description: 'Kubernetes Secrets are envelope-encrypted with a customer KMS key',
    severity: 'high',
    mirrors: ['CKV_AWS_58', 'AVD-AWS-0039', 'aws-eks-cluster-enable-cluster-encryption-config', 'CIS EKS 5.3.1'],
    fix: 'set encryptionConfigKeyArn to the eks-secrets KMS key from phase 1',
    resourceTypes: CLUSTERS,
    validateResource(r, report) {
      if (r.type === EKS_CLUSTER) {
        if (!r.props.encryptionConfigKeyArn) report({ property: 'encryptionConfigKeyArn', message: 'no KMS key for Secrets encryption' });
        return;
      }
      const cfg = r.props.encryptionConfig as { provider?: { keyArn?: string }; resources?: string[] } | undefined;
      if (!cfg?.provider?.keyArn) report({ property: 'encryptionConfig.provider.keyArn', message: 'no KMS key for Secrets encryption' });
      if (!list(cfg?.resources).includes('secrets')) report({ property: 'encryptionConfig.resources', message: 'encryptionConfig.resources does not include "secrets"' });
    },
  },
  {
    kind: 'resource',
    name: 'eks-control-plane-logging',
    description: 'All five control-plane log types are enabled',
    severity: 'medium',
    mirrors: ['CKV_AWS_37', 'AVD-AWS-0038', 'CIS EKS 2.1.1'],
    fix: `set enabledClusterLogTypes to ${JSON.stringify(ALL_LOG_TYPES)}`,
    resourceTypes: CLUSTERS,
    validateResource(r, report) {
      const have = new Set(list<string>(r.props.enabledClusterLogTypes));
      const missing = ALL_LOG_TYPES.filter((t) => !have.has(t));
      if (missing.length) report({ property: 'enabledClusterLogTypes', message: `control-plane log types not enabled: ${missing.join(', ')}` });
    },
  },
  {
    kind: 'resource',
    name: 'eks-supported-version',
    description: 'The Kubernetes version is in EKS standard support',
    severity: 'medium',
    mirrors: ['CKV_AWS_339'],
    fix: 'move cluster.version in the env file to a minor in EKS standard support (see the EKS version calendar)',
    resourceTypes: CLUSTERS,
    validateResource(r, report, ctx) {
      const v = r.props.version;
      if (v === undefined) return; // EKS picks the latest version
      const end = EKS_STANDARD_SUPPORT_END[String(v)];
      if (!end) report({ property: 'version', message: `version ${String(v)} is not in the support table of src/checks/rules/eks.ts` });
      else if (Date.parse(`${end}T00:00:00Z`) <= ctx.now) report({ property: 'version', message: `version ${String(v)} left EKS standard support on ${end}` });
    },
  },
  {
    kind: 'resource',
    name: 'eks-nodegroup-no-open-ssh',
    description: 'Node groups allow no SSH from anywhere: remote access absent or limited to security groups',
    severity: 'high',
    mirrors: ['CKV_AWS_100'],
    fix: 'drop remoteAccess (use SSM Session Manager) or set remoteAccess.sourceSecurityGroupIds',
    resourceTypes: ['aws:eks/nodeGroup:NodeGroup', 'eks:index:ManagedNodeGroup'],
    validateResource(r, report) {
      const ra = r.props.remoteAccess as { ec2SshKey?: string; sourceSecurityGroupIds?: string[] } | undefined;
      if (ra?.ec2SshKey && list(ra.sourceSecurityGroupIds).length === 0) {
        report({ property: 'remoteAccess.sourceSecurityGroupIds', message: 'SSH key set without source security groups: port 22 is open to 0.0.0.0/0' });
      }
    },
  },
];

