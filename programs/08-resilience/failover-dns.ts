/**
 * DNS failover for phase 6's public hosts. The records themselves stay ExternalDNS's (phase 2's
 * controller publishes phase 6's Gateway hosts): two owners of a Route53 name fight, and Route53
 * refuses a failover record beside a simple one of the same name, so both sides must change in one
 * batch, which only ExternalDNS's own sync does. Phase 8 gives it what it needs:
 * - a Route53 health check on the primary ingress (the Istio gateway's readiness, /healthz/ready on
 *   its status port 15021, which the gateway Service exposes through the NLB);
 * - the failover annotations on phase 6's Gateway (set identifier `primary`, PRIMARY, the health
 *   check), applied as a server-side-apply patch of those three annotations only;
 * - the DR side: an internet-facing NLB in the DR region's public subnets (phase 1) with empty
 *   target groups the DR gateway joins at failover, and an ExternalName Service in the primary
 *   cluster that makes ExternalDNS publish the SECONDARY alias records to it.
 * Until a failover fills the DR target groups, the SECONDARY is unhealthy; Route53 then answers with
 * the PRIMARY, so nothing changes for users.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import { EXTERNAL_DNS, GATEWAY_HEALTH, HEALTH_CHECK, INGRESS_PORTS, PRIMARY_SET_ID, SECONDARY_SET_ID } from './names.js';
import type { Phase8Inputs } from './phase.js';

export interface FailoverResult {
  healthCheck: aws.route53.HealthCheck;
  drLoadBalancer: aws.lb.LoadBalancer;
  drTargetGroups: aws.lb.TargetGroup[];
  recordNames: string[];
}

export function createFailover(inputs: Phase8Inputs, primary: aws.Provider, dr: aws.Provider, k8sProvider: k8s.Provider): FailoverResult {
  const tags = inputs.tags;
  const healthCheck = new aws.route53.HealthCheck(
    'primary-ingress-health',
    {
      type: 'HTTP',
      fqdn: inputs.primaryIngressLbHostname,
      port: GATEWAY_HEALTH.port,
      resourcePath: GATEWAY_HEALTH.path,
      requestInterval: HEALTH_CHECK.requestInterval,
      failureThreshold: HEALTH_CHECK.failureThreshold,
      tags: { ...tags, Name: `platform-${inputs.envName}-primary-ingress` },
    },
    { provider: primary },
  );

  const drOpts = { provider: dr };
  const drLoadBalancer = new aws.lb.LoadBalancer(
    'dr-ingress',
    {
      name: `${inputs.envName}-dr-ingress`,
      loadBalancerType: 'network',
      internal: false,
      subnets: inputs.dr.publicSubnetIds,
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: inputs.drCluster?.deletionProtection ?? false,
      tags,
    },
    drOpts,
  );
  const drTargetGroups = INGRESS_PORTS.map((port) => {
    const tg = new aws.lb.TargetGroup(
      `dr-ingress-${port}`,
      {
        name: `${inputs.envName}-dr-ingress-${port}`,
        port,
        protocol: 'TCP',
        targetType: 'ip',
        vpcId: inputs.dr.vpcId,
        healthCheck: { protocol: 'HTTP', port: String(GATEWAY_HEALTH.port), path: GATEWAY_HEALTH.path },
        tags: { ...tags, 'platform:failover': 'dr-ingress' },
      },
      drOpts,
    );
    new aws.lb.Listener(`dr-ingress-${port}`, { loadBalancerArn: drLoadBalancer.arn, port, protocol: 'TCP', defaultActions: [{ type: 'forward', targetGroupArn: tg.arn }], tags }, drOpts);
    return tg;
  });

  const recordNames = inputs.edge.hosts.map((h) => h.name);
  new k8s.apiextensions.CustomResourcePatch(
    'gateway-failover-annotations',
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: {
        name: inputs.edge.gatewayName,
        namespace: inputs.edge.gatewayNamespace,
        annotations: {
          [`${EXTERNAL_DNS}/set-identifier`]: PRIMARY_SET_ID,
          [`${EXTERNAL_DNS}/aws-failover`]: 'PRIMARY',
          [`${EXTERNAL_DNS}/aws-health-check-id`]: healthCheck.id,
        },
      },
    },
    { provider: k8sProvider },
  );
  new k8s.core.v1.Service(
    'dr-ingress-failover',
    {
      metadata: {
        name: 'dr-ingress-failover',
        namespace: inputs.edge.gatewayNamespace,
        labels: { 'app.kubernetes.io/managed-by': 'platform', 'platform.io/phase': '08-resilience' },
        annotations: {
          [`${EXTERNAL_DNS}/hostname`]: recordNames.join(','),
          [`${EXTERNAL_DNS}/set-identifier`]: SECONDARY_SET_ID,
          [`${EXTERNAL_DNS}/aws-failover`]: 'SECONDARY',
        },
      },
      spec: { type: 'ExternalName', externalName: drLoadBalancer.dnsName },
    },
    { provider: k8sProvider },
  );
  return { healthCheck, drLoadBalancer, drTargetGroups, recordNames };
}
