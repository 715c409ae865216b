/**
 * Rules across fields of one env file, checked after the schema passes (the schema checks each field
 * alone). Each broken rule is one problem naming the paths involved:
 * - `name` equals the file name (`stacks/dev.yaml` holds `name: dev`);
 * - cluster.systemNodes: min <= desired <= max;
 * - cluster.publicAccessCidrs is empty when the endpoint is private, and non-empty without a /0 range
 *   (0.0.0.0/0 is the whole internet) when it is public;
 * - network.vpcCidr and network.drVpcCidr do not overlap (the regions are peered for DR);
 * - resilience.backup.coldStorageAfterDays leaves at least 90 days in cold storage before
 *   backupRetentionDays deletes the recovery point (AWS Backup's minimum; it rejects the plan);
 * - resilience.drCluster.nodes: min <= desired <= max;
 * - `promoteFrom` names another env (an env cannot be its own evidence);
 * - the `local` env uses the simulate engine and a file:// backend inside `.platform/`.
 * Engine `pulumi` works with a file:// or an s3:// backend; that is not restricted here.
 */
import type { EnvConfig } from '../core/env.js';
import type { ConfigProblem } from './issues.js';

/** [first, last] address of an IPv4 CIDR as unsigned 32-bit numbers. */
export function cidrRange(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/') as [string, string];
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

/** True when the two CIDRs share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

/** The env `local` keeps everything on this machine, inside the repo's git-ignored `.platform/`. */
function insidePlatformDir(url: string): boolean {
  if (!url.startsWith('file://')) return false;
  const segments = url.slice('file://'.length).split('/').filter((s) => s !== '' && s !== '.');
  return segments[0] === '.platform' && !segments.includes('..');
}

/** Problems across fields of a schema-valid env file; empty when it is consistent. */
export function crossFieldProblems(env: EnvConfig, fileEnvName: string): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (env.name !== fileEnvName) {
    out.push({ path: ['name'], value: env.name, text: `name: expected "${fileEnvName}" (the file name), got "${env.name}"` });
  }

  if (env.promoteFrom === env.name) {
    out.push({ path: ['promoteFrom'], value: env.promoteFrom, text: `promoteFrom: "${env.promoteFrom}" is this env itself; name the env whose successes it takes (prod: stg), or remove it` });
  }

  const n = env.cluster.systemNodes;
  if (n.min > n.max) {
    out.push({
      path: ['cluster', 'systemNodes', 'min'],
      value: String(n.min),
      text: `cluster.systemNodes.min: expected at most cluster.systemNodes.max (${n.max}), got ${n.min}`,
    });
  } else if (n.desired < n.min || n.desired > n.max) {
    out.push({
      path: ['cluster', 'systemNodes', 'desired'],
      value: String(n.desired),
      text: `cluster.systemNodes.desired: expected between cluster.systemNodes.min (${n.min}) and cluster.systemNodes.max (${n.max}), got ${n.desired}`,
    });
  }

  const cidrs = env.cluster.publicAccessCidrs;
  if (!env.cluster.endpointPublicAccess && cidrs.length > 0) {
    out.push({
      path: ['cluster', 'publicAccessCidrs'],
      text: `cluster.publicAccessCidrs: expected an empty list when cluster.endpointPublicAccess is false, got ${cidrs.length} CIDR${cidrs.length === 1 ? '' : 's'}`,
    });
  }
  if (env.cluster.endpointPublicAccess) {
    if (cidrs.length === 0) {
      out.push({
        path: ['cluster', 'publicAccessCidrs'],
        text: 'cluster.publicAccessCidrs: expected at least one restricted CIDR when cluster.endpointPublicAccess is true, got an empty list',
      });
    }
    cidrs.forEach((c, i) => {
      if (c.endsWith('/0')) {
        out.push({
          path: ['cluster', 'publicAccessCidrs', i],
          value: c,
          text: `cluster.publicAccessCidrs[${i}]: expected a restricted CIDR (the runner's egress), got "${c}" (the whole internet)`,
        });
      }
    });
  }

  if (cidrsOverlap(env.network.vpcCidr, env.network.drVpcCidr)) {
    out.push({
      path: ['network', 'drVpcCidr'],
      value: env.network.drVpcCidr,
      text: `network.drVpcCidr: expected a range that does not overlap network.vpcCidr "${env.network.vpcCidr}", got "${env.network.drVpcCidr}"`,
    });
  }

  const r = env.resilience;
  const cold = r?.backup.coldStorageAfterDays;
  if (cold !== undefined && env.backupRetentionDays < cold + 90) {
    out.push({
      path: ['resilience', 'backup', 'coldStorageAfterDays'],
      value: String(cold),
      text: `resilience.backup.coldStorageAfterDays: expected at most backupRetentionDays - 90 (${env.backupRetentionDays - 90}; AWS Backup keeps cold storage at least 90 days), got ${cold}`,
    });
  }
  const d = r?.drCluster.nodes;
  if (d && (d.min > d.max || d.desired < d.min || d.desired > d.max)) {
    out.push({
      path: ['resilience', 'drCluster', 'nodes', 'desired'],
      value: String(d.desired),
      text: `resilience.drCluster.nodes: expected min <= desired <= max, got ${d.min} <= ${d.desired} <= ${d.max}`,
    });
  }

  if (env.name === 'local') {
    if (env.engine !== 'simulate') {
      out.push({ path: ['engine'], value: env.engine, text: `engine: expected "simulate" for the local env, got "${env.engine}"` });
    }
    if (!insidePlatformDir(env.backend.url)) {
      out.push({
        path: ['backend', 'url'],
        value: env.backend.url,
        text: `backend.url: expected file://.platform/<dir> for the local env, got "${env.backend.url}"`,
      });
    }
  }
  return out;
}
