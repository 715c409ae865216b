/**
 * Phase 2 program: the cluster, add-on roles, managed add-ons, storage, then the platform charts in
 * dependency order (Karpenter first so that pods outside the system pool get nodes; the LB
 * controller before the Istio gateway, which needs an NLB). Returns the phase-2 outputs; the
 * kubeconfig is a secret. Nothing runs at import.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  createManagedAddons,
  createNamespaces,
  createSnapshotController,
  createStorage,
  NAMESPACES,
  RETAIN_STORAGE_CLASS,
  STORAGE_CLASS,
  VOLUME_SNAPSHOT_CLASS,
} from './addons.js';
import { installCertManager, ISSUER_NAMES } from './charts/cert-manager.js';
import { installExternalDns } from './charts/external-dns.js';
import { CLUSTER_SECRET_STORE, installExternalSecrets, SECRET_STORE_CONSUMER_LABEL } from './charts/external-secrets.js';
import { INGRESS_GATEWAY_SELECTOR, installIstio } from './charts/istio.js';
import { EC2_NODE_CLASS, installKarpenter } from './charts/karpenter.js';
import { installLoadBalancerController } from './charts/load-balancer-controller.js';
import { installLogging, LOKI_GATEWAY } from './charts/loki.js';
import { installMonitoring, services } from './charts/monitoring.js';
import { awsProvider, createCluster } from './cluster.js';
import type { Phase2Inputs } from './phase.js';
import { platformNetworkPolicies } from './network-policies.js';
import { createControllerRoles } from './roles.js';
import { istioRevision } from './versions.js';

export async function program(inputs: Phase2Inputs): Promise<Record<string, unknown>> {
  const provider = awsProvider(inputs);
  const c = createCluster(inputs, provider);

  const k8sProvider = new k8s.Provider('k8s', { kubeconfig: c.kubeconfig, enableServerSideApply: true });
  const k8sOpts = { provider: k8sProvider };

  const roles = createControllerRoles(inputs, c.clusterName, c.clusterArn, { provider, dependsOn: [] });
  const addons = createManagedAddons(inputs, c.clusterName, roles.ebsCsi.role.arn, { provider, dependsOn: [c.nodeGroup] });
  const ns = createNamespaces(k8sOpts);
  // Default deny plus DNS/HTTPS egress in the controllers' namespaces, before their charts (network-policies.ts).
  const byName = Object.fromEntries(Object.entries(NAMESPACES).map(([k, v]) => [v, ns[k as keyof typeof ns]]));
  const netpols = platformNetworkPolicies().map((p) => {
    const meta = p.metadata as { name: string; namespace: string };
    return new k8s.networking.v1.NetworkPolicy(`netpol-${meta.namespace}-${meta.name}`, p as k8s.networking.v1.NetworkPolicyArgs, {
      provider: k8sProvider,
      dependsOn: [byName[meta.namespace]!],
    });
  });

  // Pods that use Pod Identity must start after the agent and their association exist.
  const identity = (key: keyof typeof roles) => [addons.podIdentityAgent, ...(roles[key].association ? [roles[key].association!] : [])];

  const karpenter = installKarpenter(inputs, c.cluster.eksCluster.endpoint, {
    provider: k8sProvider,
    dependsOn: [c.nodeGroup, ...identity('karpenter')],
  });
  // Workloads that do not tolerate the system taint land on Karpenter nodes; CoreDNS must run first.
  const capacity = [c.nodeGroup, c.coredns, ...karpenter.nodePools];
  // The snapshot controller tolerates no taint: it waits for Karpenter's pools, not for a timeout (R3).
  const snapshotController = createSnapshotController(inputs, c.clusterName, { provider, dependsOn: karpenter.nodePools });
  const storage = createStorage(inputs, { ...addons, snapshotController }, k8sOpts);

  const lbc = installLoadBalancerController(inputs, { provider: k8sProvider, dependsOn: [...capacity, ...identity('lbc')] });
  const certManager = installCertManager(inputs, { provider: k8sProvider, dependsOn: [...capacity, ns.certManager, ...netpols, ...identity('certManager')] });
  const istio = installIstio({ provider: k8sProvider, dependsOn: [...capacity, ns.istioSystem, ns.istioIngress, ...netpols, lbc] });
  // ExternalDNS watches Istio Gateways and VirtualServices and exits while their CRDs are missing (R2).
  installExternalDns(inputs, { provider: k8sProvider, dependsOn: [...capacity, ns.externalDns, ...netpols, istio.base, ...identity('externalDns')] });
  const eso = installExternalSecrets(inputs, {
    provider: k8sProvider,
    dependsOn: [...capacity, ns.externalSecrets, ...netpols, ...identity('externalSecrets')],
  });
  installMonitoring({ provider: k8sProvider, dependsOn: [...capacity, ns.monitoring, storage.storageClass] });
  installLogging(inputs, { provider: k8sProvider, dependsOn: [...capacity, ns.loki, storage.storageClass, ...identity('loki')] });

  const eksCluster = c.cluster.eksCluster;
  return {
    clusterName: c.clusterName,
    clusterArn: c.clusterArn,
    clusterEndpoint: eksCluster.endpoint,
    clusterCertificateAuthority: eksCluster.certificateAuthority.data,
    kubeconfig: pulumi.secret(c.kubeconfig),
    oidcProviderArn: c.cluster.oidcProviderArn,
    oidcProviderUrl: c.cluster.oidcProviderUrl,
    oidcIssuer: c.cluster.oidcIssuer,
    clusterSecurityGroupId: c.clusterSecurityGroupId,
    // Managed and Karpenter nodes carry the EKS-created cluster security group (no separate node group SG).
    nodeSecurityGroupId: c.clusterSecurityGroupId,
    systemNodeGroupName: c.systemNodeGroupName,
    podIdentityRoleArns: {
      ebsCsi: roles.ebsCsi.role.arn,
      karpenter: roles.karpenter.role.arn,
      lbc: roles.lbc.role.arn,
      externalDns: roles.externalDns.role.arn,
      certManager: roles.certManager.role.arn,
      externalSecrets: roles.externalSecrets.role.arn,
      loki: roles.loki.role.arn,
    },
    defaultStorageClass: STORAGE_CLASS,
    retainStorageClass: RETAIN_STORAGE_CLASS,
    volumeSnapshotClass: VOLUME_SNAPSHOT_CLASS,
    clusterIssuers: {
      staging: certManager.issuers.staging.metadata.name.apply(() => ISSUER_NAMES.staging),
      prod: certManager.issuers.prod.metadata.name.apply(() => ISSUER_NAMES.prod),
    },
    clusterSecretStoreName: eso.store.metadata.name.apply(() => CLUSTER_SECRET_STORE),
    clusterSecretStoreNamespaceLabel: { ...SECRET_STORE_CONSUMER_LABEL },
    // The key the ESO role may decrypt with (phase 1's secrets key): later phases encrypt the
    // Secrets Manager secrets they create with it, or ESO cannot read them (R19).
    secretsManagerKmsKeyArn: inputs.foundation.kmsKeyArns.eksSecrets,
    istio: {
      revision: istioRevision,
      ingressNamespace: NAMESPACES.istioIngress,
      ingressGatewaySelector: { ...INGRESS_GATEWAY_SELECTOR },
      ingressLbHostname: istio.ingressService.status.loadBalancer.ingress[0].hostname,
    },
    karpenter: { nodePools: karpenter.nodePoolNames, ec2NodeClass: EC2_NODE_CLASS },
    monitoringNamespace: NAMESPACES.monitoring,
    prometheusService: services.prometheus,
    alertmanagerService: services.alertmanager,
    grafanaService: services.grafana,
    lokiGatewayService: LOKI_GATEWAY,
  };
}
