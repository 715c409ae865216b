/**
 * Phase 10 program: the FIS experiment templates and their role, the SLO alarm that stops them
 * (AWS, through the provider that assumes the env's deploy role), and the restore drill's scratch
 * namespace with its policies (Kubernetes, through phase 2's kubeconfig). Nothing runs at import.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { experimentRolePolicy, experimentSpecs, experimentTrustPolicy, sloAlarmSpec } from './chaos.js';
import { scratchManifests, SCRATCH_NAMESPACE } from './scratch.js';
import type { Phase10Inputs } from './phase.js';

export async function program(inputs: Phase10Inputs): Promise<Record<string, unknown>> {
  const provider = pinnedProvider('aws-env', { region: inputs.region, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName: `platform-${inputs.envName}-10-hardening` });
  const spec = { clusterName: inputs.clusterName, availabilityZone: inputs.availabilityZone, karpenterRoleArn: inputs.karpenterRoleArn };

  const alarmSpec = sloAlarmSpec(inputs.envName);
  const alarm = new aws.cloudwatch.MetricAlarm('slo-ingress', { ...alarmSpec, tags: inputs.tags }, { provider });

  const role = new aws.iam.Role(
    'fis-experiments',
    { name: `platform-${inputs.envName}-fis-experiments`, assumeRolePolicy: JSON.stringify(experimentTrustPolicy(inputs.accountId)), tags: inputs.tags },
    { provider },
  );
  const policy = new aws.iam.RolePolicy(
    'fis-experiments',
    { role: role.name, policy: JSON.stringify(experimentRolePolicy({ ...spec, region: inputs.region, accountId: inputs.accountId })) },
    { provider },
  );

  const templates = experimentSpecs(spec).map(
    (t) =>
      [
        t.name,
        new aws.fis.ExperimentTemplate(
          `fis-${t.name}`,
          {
            description: t.description,
            roleArn: role.arn,
            actions: t.actions,
            targets: t.targets,
            stopConditions: [{ source: 'aws:cloudwatch:alarm', value: alarm.arn }],
            experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
            tags: { ...inputs.tags, Name: `${inputs.envName}-${t.name}` },
          },
          { provider, dependsOn: [policy] },
        ),
      ] as const,
  );

  const k8sProvider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });
  const scratch = scratchManifests();
  const ns = new k8s.core.v1.Namespace('scratch', scratch.namespace as k8s.core.v1.NamespaceArgs, { provider: k8sProvider });
  for (const p of scratch.policies) {
    const name = `${String(p.kind).toLowerCase()}-${p.metadata.name}`;
    if (p.kind === 'NetworkPolicy') new k8s.networking.v1.NetworkPolicy(name, p as k8s.networking.v1.NetworkPolicyArgs, { provider: k8sProvider, dependsOn: [ns] });
    else new k8s.core.v1.ResourceQuota(name, p as k8s.core.v1.ResourceQuotaArgs, { provider: k8sProvider, dependsOn: [ns] });
  }

  return {
    experimentTemplateIds: Object.fromEntries(templates.map(([name, t]) => [name, t.id])),
    experimentRoleArn: role.arn,
    sloAlarmArns: [alarm.arn],
    scratchNamespace: SCRATCH_NAMESPACE,
    ...inputs.gateInputs,
    kubeconfig: pulumi.secret(inputs.kubeconfig),
  };
}
