/**
 * Makes objects safe for a loopback-only API server. Nothing behind a Service runs here (pods are
 * kwok fakes at unroutable 10.x addresses), so anything that makes kube-apiserver itself dial a
 * Service would hang or fail requests: admission webhooks, aggregated APIServices backed by a
 * Service, and CRD conversion webhooks. Rules:
 * - Mutating/ValidatingWebhookConfiguration: dropped;
 * - APIService with `spec.service`: dropped (a local APIService without a service is kept);
 * - CustomResourceDefinition with `spec.conversion.strategy: Webhook`: conversion set to None.
 * Everything else passes unchanged. Returns what was dropped or changed, for the test output.
 */
export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

export interface Filtered<T> {
  kept: T[];
  dropped: string[];
}

const WEBHOOKS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

export function loopbackSafe<T extends KubeObjectLike>(objects: readonly T[]): Filtered<T> {
  const kept: T[] = [];
  const dropped: string[] = [];
  for (const o of objects) {
    const name = o.metadata?.name ?? '?';
    if (o.kind && WEBHOOKS.has(o.kind)) {
      dropped.push(`${o.kind}/${name}`);
      continue;
    }
    const spec = (o as { spec?: Record<string, unknown> }).spec;
    if (o.kind === 'APIService' && spec?.service) {
      dropped.push(`APIService/${name}`);
      continue;
    }
    const conversion = spec?.conversion as { strategy?: string } | undefined;
    if (o.kind === 'CustomResourceDefinition' && conversion?.strategy === 'Webhook') {
      kept.push({ ...o, spec: { ...spec, conversion: { strategy: 'None' } } });
      dropped.push(`conversion-webhook-of/${name}`);
      continue;
    }
    kept.push(o);
  }
  return { kept, dropped };
}
