/**
 * Phase 2 outputs of the contract's shape (programs/02-cluster/phase.ts) for a given env, as the
 * orchestrator would hand them to phases 3 and 5, checked against phase 2's own schema.
 */
import type { EnvConfig } from '../../src/core/env.js';
import { phase2Outputs, type Phase2Outputs } from '../../programs/02-cluster/phase.js';

export function phase2OutputsFor(env: EnvConfig): Phase2Outputs {
  const acct = env.accountId;
  const region = env.regions.primary;
  const role = (n: string) => `arn:aws:iam::${acct}:role/${env.cluster.name}-${n}`;
  return phase2Outputs.parse({
    clusterName: env.cluster.name,
    clusterArn: `arn:aws:eks:${region}:${acct}:cluster/${env.cluster.name}`,
    clusterEndpoint: `https://ABCDEF0123456789.gr7.${region}.eks.amazonaws.com`,
    clusterCertificateAuthority: 'Q0E=',
    kubeconfig: JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }),
    oidcProviderArn: `arn:aws:iam::${acct}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/ABCDEF0123456789`,
    oidcProviderUrl: `oidc.eks.${region}.amazonaws.com/id/ABCDEF0123456789`,
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/ABCDEF0123456789`,
    clusterSecurityGroupId: 'sg-0cluster000000001',
    nodeSecurityGroupId: 'sg-0cluster000000001',
    systemNodeGroupName: `${env.cluster.name}-system`,
    podIdentityRoleArns: { ebsCsi: role('ebs-csi'), karpenter: role('karpenter'), lbc: role('lbc'), externalDns: role('external-dns'), certManager: role('cert-manager'), externalSecrets: role('external-secrets'), loki: role('loki') },
    defaultStorageClass: 'gp3',
    retainStorageClass: 'gp3-retain',
    volumeSnapshotClass: 'ebs-snapshots',
    clusterIssuers: { staging: 'letsencrypt-staging', prod: 'letsencrypt-prod' },
    clusterSecretStoreName: 'aws-secretsmanager',
    clusterSecretStoreNamespaceLabel: { key: 'platform.io/cluster-secret-store', value: 'aws-secretsmanager' },
    secretsManagerKmsKeyArn: `arn:aws:kms:${region}:${acct}:key/11111111-1111-4111-8111-111111111111`,
    istio: { revision: 'default', ingressNamespace: 'istio-ingress', ingressGatewaySelector: { istio: 'ingressgateway' }, ingressLbHostname: `k8s-istioing-abc.elb.${region}.amazonaws.com` },
    karpenter: { nodePools: ['on-demand', 'spot'], ec2NodeClass: 'default' },
    monitoringNamespace: 'monitoring',
    prometheusService: 'kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090',
    alertmanagerService: 'kube-prometheus-stack-alertmanager.monitoring.svc.cluster.local:9093',
    grafanaService: 'kube-prometheus-stack-grafana.monitoring.svc.cluster.local:80',
    lokiGatewayService: 'loki-gateway.loki.svc.cluster.local:80',
  });
}
