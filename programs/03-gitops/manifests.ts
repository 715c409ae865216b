/**
 * The objects phase 3 creates besides its two charts, as pure functions of the env (so the program,
 * the committed copies under gitops/bootstrap/ and the offline ApplicationSet expansion all use the
 * same objects):
 * - one AppProject per env: the GitOps repo as the only source, the env's app namespace as the only
 *   destination, no cluster-scoped kinds, only the namespaced kinds the service chart renders; prod
 *   and stg syncs only inside a weekday window;
 * - one ApplicationSet per env: a git directory generator over `services/*`, so each service folder
 *   in the GitOps repo is one Application `<svc>-<env>` of the shared chart `charts/service` with
 *   the env defaults, the service's values and the service's env values (most specific last);
 * - the repository credentials: an ExternalSecret from the ClusterSecretStore that renders a Secret
 *   labelled as an Argo CD repository (no key in Git or in Pulumi state);
 * - the Rollouts success-rate ClusterAnalysisTemplate on Prometheus (Istio request metrics).
 * Topology: one Argo CD per env cluster (reference/phases.md, phase 3 "Topology choice"), so no
 * cluster secrets and no hub controller role.
 */

export const ARGOCD_NAMESPACE = 'argocd';
export const ROLLOUTS_NAMESPACE = 'argo-rollouts';
/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/** The shared service chart's path in the GitOps repository. */
export const SERVICE_CHART_PATH = 'charts/service';
/** The folder whose sub-folders are the services (the ApplicationSet generator's glob). */
export const SERVICES_DIR = 'services';
export const REPO_SECRET_NAME = 'gitops-repository';
export const SUCCESS_RATE_TEMPLATE = 'success-rate';

/** The namespace a env's services run in (phase 5 creates it). */
export const appNamespace = (env: string): string => `apps-${env}`;
export const applicationSetName = (env: string): string => `apps-${env}`;

export interface GitopsRepo {
  repoUrl: string;
  targetRevision: string;
}

type Obj = Record<string, unknown>;

/** The namespaced kinds the service chart renders: all an Application of the project may create. */
export const SERVICE_CHART_KINDS: readonly { group: string; kind: string }[] = [
  { group: '', kind: 'ServiceAccount' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ConfigMap' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'argoproj.io', kind: 'Rollout' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'networking.istio.io', kind: 'DestinationRule' },
  { group: 'networking.istio.io', kind: 'VirtualService' },
  { group: 'security.istio.io', kind: 'AuthorizationPolicy' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
];

/** `guarded`: syncs only in a weekday window, and deleting the ApplicationSet keeps the apps (stg, prod). */
export function appProject(env: string, repo: GitopsRepo, guarded: boolean): Obj {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: env, namespace: ARGOCD_NAMESPACE },
    spec: {
      sourceRepos: [repo.repoUrl],
      destinations: [{ server: IN_CLUSTER, namespace: appNamespace(env) }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: SERVICE_CHART_KINDS.map((k) => ({ ...k })),
      orphanedResources: { warn: true },
      ...(guarded
        ? { syncWindows: [{ kind: 'allow', schedule: '0 7 * * 1-5', duration: '10h', timeZone: 'UTC', applications: ['*'], manualSync: true }] }
        : {}),
    },
  };
}

/** Value files of one Application, relative to the chart (Argo CD resolves them inside the repo). */
export function valueFiles(env: string, service: string): string[] {
  return [`../../envs/${env}/values.yaml`, `../../${SERVICES_DIR}/${service}/values.yaml`, `../../${SERVICES_DIR}/${service}/values-${env}.yaml`];
}

export function applicationSet(env: string, repo: GitopsRepo, guarded: boolean): Obj {
  const svc = '{{.path.basename}}';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: applicationSetName(env), namespace: ARGOCD_NAMESPACE },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: repo.repoUrl, revision: repo.targetRevision, directories: [{ path: `${SERVICES_DIR}/*` }] } }],
      template: {
        metadata: {
          name: `${svc}-${env}`,
          labels: { 'platform.io/env': env, 'platform.io/service': svc, 'app.kubernetes.io/part-of': 'platform-services' },
        },
        spec: {
          project: env,
          source: {
            repoURL: repo.repoUrl,
            targetRevision: repo.targetRevision,
            path: SERVICE_CHART_PATH,
            helm: { releaseName: svc, valueFiles: valueFiles(env, svc), ignoreMissingValueFiles: false },
          },
          destination: { server: IN_CLUSTER, namespace: appNamespace(env) },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // The namespace is phase 5's (labels for injection, Pod Security and the secret store).
            syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
          },
        },
      },
      // Deleting the ApplicationSet must not delete a guarded env's running services.
      ...(guarded ? { syncPolicy: { preserveResourcesOnDeletion: true, applicationsSync: 'create-update' } } : {}),
    },
  };
}

/** Argo CD repository credentials from Secrets Manager (GitHub App or SSH key properties of one secret). */
export function repositoryExternalSecret(repo: GitopsRepo, secretStore: string, secretName: string): Obj {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: REPO_SECRET_NAME, namespace: ARGOCD_NAMESPACE },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: secretStore },
      target: {
        name: REPO_SECRET_NAME,
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          mergePolicy: 'Merge',
          metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
          data: { type: 'git', url: repo.repoUrl },
        },
      },
      // The secret's JSON properties (githubAppID, githubAppInstallationID, githubAppPrivateKey, or
      // sshPrivateKey) become the Secret's keys, which are Argo CD's repository fields.
      dataFrom: [{ extract: { key: secretName } }],
    },
  };
}

/**
 * The canary analysis every service Rollout runs: the share of non-5xx responses to the service
 * (Istio's request metric, reported by the calling sidecars) over five minutes stays at or above
 * 95 %; three failed measurements abort the rollout (argo-rollouts docs/analysis/prometheus.md).
 */
export function successRateTemplate(prometheusUrl: string): Obj {
  const selector = 'reporter="source",destination_service=~"{{args.service-name}}"';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ClusterAnalysisTemplate',
    metadata: { name: SUCCESS_RATE_TEMPLATE },
    spec: {
      args: [{ name: 'service-name' }],
      metrics: [
        {
          name: 'success-rate',
          interval: '1m',
          count: 5,
          // Prometheus returns a vector: result[0] is the ratio (the Rollouts documentation's form).
          successCondition: 'result[0] >= 0.95',
          failureLimit: 3,
          provider: {
            prometheus: {
              address: prometheusUrl,
              query: `sum(irate(istio_requests_total{${selector},response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{${selector}}[5m]))`,
            },
          },
        },
      ],
    },
  };
}
