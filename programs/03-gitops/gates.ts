/**
 * Phase 3 gates (reference/phases.md, phase 3 "Gate"):
 * - gitops-crds: the Argo CD and Rollouts CRDs are Established;
 * - gitops-controllers: every Deployment and StatefulSet in argocd and argo-rollouts is rolled out;
 * - applications-generated: the env's ApplicationSet reports ResourcesUpToDate=True and no
 *   ErrorOccurred=True, and its Applications are exactly `<svc>-<env>` for every service of
 *   programs/shared/services.ts (none missing, none extra), none with a ComparisonError;
 * - rollouts-analysis: the success-rate ClusterAnalysisTemplate exists.
 * Applications Synced and Healthy is phase 5's gate: before phase 5 creates the app namespace and
 * pushes images, Applications are OutOfSync/Missing by design (the reference says so too).
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { condition, crdEstablished, deploymentReady, statefulSetReady, type Readiness } from '../../src/gates/k8s/readiness.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { SERVICE_NAMES } from '../shared/services.js';
import { ARGOCD_NAMESPACE, ROLLOUTS_NAMESPACE, SUCCESS_RATE_TEMPLATE } from './manifests.js';
import type { Phase3Outputs } from './phase.js';

type G = Gate<Phase3Outputs, Probes>;
const MIN = 60_000;

export const GITOPS_CRDS = [
  'applications.argoproj.io',
  'applicationsets.argoproj.io',
  'appprojects.argoproj.io',
  'rollouts.argoproj.io',
  'analysistemplates.argoproj.io',
  'clusteranalysistemplates.argoproj.io',
  'analysisruns.argoproj.io',
] as const;

const crds: G = {
  name: 'gitops-crds',
  description: 'The Argo CD and Argo Rollouts CRDs are Established',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 10_000,
  async check({ probes }) {
    const ev = new Evidence();
    for (const name of GITOPS_CRDS) {
      const crd = await probes.k8s.read({ kind: 'CustomResourceDefinition', name });
      if (!crd) ev.problem(`CRD ${name} does not exist`);
      else {
        const r = crdEstablished(crd);
        if (r.ready) ev.saw(r.message);
        else ev.problem(r.message);
      }
    }
    return ev.outcome('the argo-cd and argo-rollouts charts install their CRDs (crds.install, installCRDs): check the releases in phase 3');
  },
};

const controllers: G = {
  name: 'gitops-controllers',
  description: 'Argo CD (server, repo server, ApplicationSet controller, Redis, application controller) and Argo Rollouts are rolled out',
  live: true,
  timeoutMs: 15 * MIN,
  intervalMs: 20_000,
  after: ['gitops-crds'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const namespace of [outputs.argocdNamespace, outputs.argoRolloutsNamespace]) {
      const verdicts: Readiness[] = [
        ...(await probes.k8s.list('Deployment', { namespace })).map(deploymentReady),
        ...(await probes.k8s.list('StatefulSet', { namespace })).map(statefulSetReady),
      ];
      if (verdicts.length === 0) ev.problem(`namespace ${namespace} has no workloads`);
      for (const v of verdicts) {
        if (v.ready) ev.saw(v.message);
        else ev.problem(v.message, v.failed);
      }
    }
    return ev.outcome('kubectl -n argocd get pods; Redis HA needs three nodes in distinct zones');
  },
};

/** The Applications an env's ApplicationSet must generate: one per service. */
export const expectedApplications = (env: string): string[] => SERVICE_NAMES.map((s) => `${s}-${env}`).sort();

const generated: G = {
  name: 'applications-generated',
  description: 'The ApplicationSet is up to date and generated exactly one Application per service',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 15_000,
  after: ['gitops-controllers'],
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    for (const name of outputs.applicationSetNames) {
      const set = await probes.k8s.read({ kind: 'ApplicationSet', namespace: outputs.argocdNamespace, name });
      if (!set) {
        ev.problem(`ApplicationSet ${outputs.argocdNamespace}/${name} does not exist`);
        continue;
      }
      const error = condition(set, 'ErrorOccurred');
      if (error?.status === 'True') ev.problem(`ApplicationSet ${name}: ErrorOccurred ${error.reason ?? ''}: ${error.message ?? ''}`);
      const upToDate = condition(set, 'ResourcesUpToDate');
      if (upToDate?.status === 'True') ev.saw(`ApplicationSet ${name}: ResourcesUpToDate=True`);
      else ev.problem(`ApplicationSet ${name}: ResourcesUpToDate is ${upToDate?.status ?? 'absent'}${upToDate?.message ? `: ${upToDate.message}` : ''}`);
    }
    const apps = await probes.k8s.list('Application', { namespace: outputs.argocdNamespace, labelSelector: `platform.io/env=${env.name}` });
    const names = apps.map((a) => a.metadata?.name ?? '').sort();
    const want = expectedApplications(env.name);
    const missing = want.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !want.includes(n));
    if (missing.length) ev.problem(`Applications missing: ${missing.join(', ')} (a service folder absent from the GitOps repo's services/?)`);
    if (extra.length) ev.problem(`Applications not in the service list: ${extra.join(', ')}`);
    if (!missing.length && !extra.length) ev.saw(`${names.length} Applications: ${names.join(', ')}`);
    for (const a of apps) {
      const conditions = (a.status?.conditions ?? []) as { type: string; message?: string }[];
      const comparison = conditions.find((c) => c.type === 'ComparisonError');
      if (comparison) ev.problem(`Application ${a.metadata?.name}: ComparisonError: ${comparison.message ?? ''}`);
    }
    return ev.outcome(`check the repository credentials (ExternalSecret gitops-repository in ${outputs.argocdNamespace}) and the services/ folders of ${outputs.gitopsRepoUrl} at ${outputs.gitopsTargetRevision}`);
  },
};

const analysis: G = {
  name: 'rollouts-analysis',
  description: 'The success-rate ClusterAnalysisTemplate the service Rollouts name exists',
  live: true,
  timeoutMs: 2 * MIN,
  intervalMs: 10_000,
  after: ['gitops-crds'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const name of outputs.analysisTemplates) {
      const t = await probes.k8s.read({ kind: 'ClusterAnalysisTemplate', name });
      if (t) ev.saw(`ClusterAnalysisTemplate ${name} exists (${(t.spec?.metrics ?? []).length} metric(s))`);
      else ev.problem(`ClusterAnalysisTemplate ${name} does not exist`);
    }
    return ev.outcome('re-run phase 3: it creates the analysis template after the Rollouts chart');
  },
};

export const gates: G[] = [crds, controllers, generated, analysis];
export { ARGOCD_NAMESPACE, ROLLOUTS_NAMESPACE, SUCCESS_RATE_TEMPLATE };
