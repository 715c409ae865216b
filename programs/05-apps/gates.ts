/**
 * Phase 5 gates (reference/phases.md, phase 5 "Gate"):
 * - applications-healthy: every Application `<svc>-<env>` is Synced and Healthy (Argo CD's
 *   `status.sync.status`, `status.health.status`), so its Rollout passed its analysis;
 * - images-in-ecr: every image those Applications run (`status.summary.images`, what Argo CD
 *   deployed from the tags in Git) that is in this env's registry exists in ECR with that tag, and its
 *   scan found nothing CRITICAL; an image from another registry is a finding;
 * - mtls-enforced: the mesh-wide and the namespace PeerAuthentication are STRICT, every app pod
 *   runs an istio-proxy (container, or native sidecar init container), and a plain-text call from
 *   a pod outside the mesh to a service is refused (the check of Istio's mTLS migration task): the
 *   probe pod must fail; a probe that succeeds means plain text is accepted, which fails the gate.
 */
import { DescribeImagesCommand, DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { SERVICE_NAMES, SERVICES } from '../shared/services.js';
import type { Phase5Outputs } from './phase.js';

type G = Gate<Phase5Outputs, Probes>;
const MIN = 60_000;
const ARGOCD_NAMESPACE = 'argocd';
/** The namespace (never injected) and pod of the plain-text probe. */
export const PLAIN_PROBE = { namespace: 'platform-gate-plain', name: 'plaintext-probe' } as const;
/** curl, pinned; the probe exits non-zero when the connection is reset (mTLS STRICT). */
export const PROBE_IMAGE = 'curlimages/curl:8.11.1';

const appNames = (env: string) => SERVICE_NAMES.map((s) => `${s}-${env}`);

const applicationsHealthy: G = {
  name: 'applications-healthy',
  description: 'Every Application <svc>-<env> is Synced and Healthy',
  live: true,
  timeoutMs: 20 * MIN,
  intervalMs: 30_000,
  async check({ env, probes }) {
    const ev = new Evidence();
    for (const name of appNames(env.name)) {
      const app = await probes.k8s.read({ kind: 'Application', namespace: ARGOCD_NAMESPACE, name });
      if (!app) {
        ev.problem(`Application ${name} does not exist (phase 3's ApplicationSet generates it from services/${name.slice(0, -env.name.length - 1)})`);
        continue;
      }
      const sync = app.status?.sync?.status;
      const health = app.status?.health?.status;
      const line = `Application ${name}: sync ${sync ?? 'unknown'}, health ${health ?? 'unknown'}${app.status?.sync?.revision ? ` at ${String(app.status.sync.revision).slice(0, 12)}` : ''}`;
      if (sync === 'Synced' && health === 'Healthy') ev.saw(line);
      else ev.problem(line, health === 'Degraded');
    }
    return ev.outcome('argocd app get <app>: a Degraded Rollout failed its analysis or cannot pull its image; OutOfSync means the GitOps repo and the cluster differ');
  },
};

const imagesInEcr: G = {
  name: 'images-in-ecr',
  description: 'Every image the Applications run is in this env\'s ECR with its tag, with no CRITICAL scan finding',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  after: ['applications-healthy'],
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    const ecr = probes.aws.client(ECRClient);
    for (const s of SERVICES) {
      const app = await probes.k8s.read({ kind: 'Application', namespace: ARGOCD_NAMESPACE, name: `${s.name}-${env.name}` });
      const images = ((app?.status?.summary?.images ?? []) as string[]).filter((i) => i.length > 0);
      if (images.length === 0) {
        ev.problem(`Application ${s.name}-${env.name} reports no images`);
        continue;
      }
      const repoUrl = outputs.ecrRepositoryUrls[s.name];
      for (const image of images) {
        const at = image.lastIndexOf(':');
        const repo = image.slice(0, at);
        const tag = image.slice(at + 1);
        if (repo !== repoUrl) {
          ev.problem(`${s.name} runs ${image}, not an image of its repository ${repoUrl}`, true);
          continue;
        }
        const repositoryName = s.imageRepository;
        const found = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] })).catch((e: Error) => e);
        if (found instanceof Error) {
          ev.problem(`${repositoryName}:${tag} is not in ECR (${found.name})`);
          continue;
        }
        const scan = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag: tag } })).catch((e: Error) => e);
        if (scan instanceof Error) ev.problem(`${repositoryName}:${tag}: no scan result (${scan.name})`);
        else {
          const critical = scan.imageScanFindings?.findingSeverityCounts?.CRITICAL ?? 0;
          if (critical > 0) ev.problem(`${repositoryName}:${tag}: ${critical} CRITICAL finding(s)`, true);
          else ev.saw(`${repositoryName}:${tag} in ECR, scan ${scan.imageScanStatus?.status ?? 'unknown'}, no CRITICAL finding`);
        }
      }
    }
    return ev.outcome('run the service workflow on the CI branch: it pushes the image and writes its tag to the GitOps repo');
  },
};

const mtlsEnforced: G = {
  name: 'mtls-enforced',
  description: 'STRICT mTLS mesh-wide and in the app namespace, a sidecar in every app pod, and a plain-text call from outside the mesh refused',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 10_000,
  after: ['applications-healthy'],
  async check({ env, outputs, probes }) {
    const k = probes.k8s;
    const ev = new Evidence();
    const namespace = outputs.appNamespaces[env.name]!;
    for (const [ns, name] of [['istio-system', 'default'], [namespace, 'default']] as const) {
      const pa = await k.read({ kind: 'PeerAuthentication', namespace: ns, name });
      const mode = pa?.spec?.mtls?.mode;
      if (mode === 'STRICT') ev.saw(`PeerAuthentication ${ns}/${name}: STRICT`);
      else ev.problem(`PeerAuthentication ${ns}/${name}: ${pa ? `mode ${mode ?? 'unset'}` : 'absent'}`, true);
    }
    const pods = await k.list('Pod', { namespace });
    if (pods.length === 0) ev.problem(`namespace ${namespace} runs no pods`);
    for (const p of pods) {
      const spec = p.spec ?? {};
      const sidecar = (spec.containers ?? []).some((c: { name: string }) => c.name === 'istio-proxy') || (spec.initContainers ?? []).some((c: { name: string; restartPolicy?: string }) => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
      if (!sidecar) ev.problem(`pod ${p.metadata?.name} has no istio-proxy: it is outside the mesh`, true);
    }
    // The plain-text probe: a pod in a namespace without injection calls a service over HTTP.
    const target = SERVICES.find((s) => s.callers.length > 0)!;
    if (!(await k.read({ kind: 'Namespace', name: PLAIN_PROBE.namespace }))) {
      await k.create({ kind: 'Namespace', metadata: { name: PLAIN_PROBE.namespace, labels: { 'istio-injection': 'disabled', 'pod-security.kubernetes.io/enforce': 'restricted', 'app.kubernetes.io/managed-by': 'platform-gates' } } });
    }
    let pod = await k.read({ kind: 'Pod', ...PLAIN_PROBE });
    if (!pod) {
      pod = await k.create({
        kind: 'Pod',
        metadata: { ...PLAIN_PROBE, labels: { 'app.kubernetes.io/managed-by': 'platform-gates' } },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'curl', image: PROBE_IMAGE,
            args: ['--silent', '--show-error', '--max-time', '10', '--output', '/dev/null', `http://${target.name}.${namespace}.svc.cluster.local:${target.port}/`],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      });
      ev.saw(`created pod ${PLAIN_PROBE.namespace}/${PLAIN_PROBE.name} calling ${target.name} in plain text`);
    }
    const phase = pod.status?.phase;
    if (phase === 'Failed') {
      ev.saw(`plain-text call to ${target.name} refused (probe pod Failed)`);
      await k.delete({ kind: 'Pod', ...PLAIN_PROBE });
    } else if (phase === 'Succeeded') {
      await k.delete({ kind: 'Pod', ...PLAIN_PROBE });
      ev.problem(`a pod outside the mesh called ${target.name} in plain text and got an answer: mTLS is not enforced`, true);
    } else ev.problem(`plain-text probe pod is ${phase ?? 'pending'}`);
    return ev.outcome('set PeerAuthentication STRICT (phases 2 and 5) and restart app pods without a sidecar (istio-injection=enabled on the namespace)');
  },
};

export const gates: G[] = [applicationsHealthy, imagesInEcr, mtlsEnforced];
