/**
 * AWS Load Balancer Controller: gives the Istio ingress Service its NLB (IP targets). VPC id and
 * region are set explicitly, because with an IMDS hop limit of 1 the pod cannot discover them.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import {
  criticalAddonsToleration,
  pinnedRelease,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../../shared/charts.js';
import type { Phase2Inputs } from '../phase.js';
import { serviceAccounts } from '../roles.js';
import { chartPin } from '../versions.js';

export function loadBalancerControllerValues(inputs: Phase2Inputs): Record<string, unknown> {
  return {
    clusterName: inputs.cluster.name,
    region: inputs.region,
    vpcId: inputs.foundation.vpcId,
    replicaCount: 2,
    serviceAccount: { create: true, name: serviceAccounts.lbc.serviceAccount },
    podDisruptionBudget: { maxUnavailable: 1 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    podSecurityContext: { ...restrictedPodSecurityContext, fsGroup: 65534 },
    securityContext: restrictedContainerSecurityContext,
    tolerations: [criticalAddonsToleration],
    enableServiceMutatorWebhook: false,
  };
}

export function installLoadBalancerController(
  inputs: Phase2Inputs,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): k8s.helm.v3.Release {
  return pinnedRelease(
    'aws-load-balancer-controller',
    { pin: chartPin('awsLoadBalancerController'), namespace: serviceAccounts.lbc.namespace, releaseName: 'aws-load-balancer-controller', values: loadBalancerControllerValues(inputs) },
    opts,
  );
}
