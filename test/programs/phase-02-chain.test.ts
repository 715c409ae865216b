/**
 * Phases 0 -> 1 -> 2 under Pulumi mocks with the shipped `dev` env: phase 1's simulated outputs,
 * validated by phase 1's own schema, are what phase 2 consumes (not a hand-written fixture), and
 * phase 2's program wires them into the cluster (subnets, secrets key, zones, queue, Loki buckets).
 */
import { strict as assert } from 'node:assert';
import { evaluateProgram, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import type { AnyPhase, UpstreamOutputs } from '../../src/core/phase.js';
import { phase as organization } from '../../programs/00-organization/phase.js';
import { phase as foundation, phase1Outputs } from '../../programs/01-foundation/phase.js';
import { phase as cluster, phase2Outputs } from '../../programs/02-cluster/phase.js';
import { shippedEnv } from './phase-02-upstream.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { OrganizationConfigSchema } from '../../src/core/organization.js';

const org = OrganizationConfigSchema.parse(parse(readFileSync(fileURLToPath(new URL('../../stacks/organization.yaml', import.meta.url)), 'utf8')));

describe('phases 0 -> 1 -> 2 (simulated chain, dev)', function () {
  this.timeout(120_000);
  const env = shippedEnv('dev');
  const upstream: UpstreamOutputs = {};
  let ev: Evaluation;

  async function deploy(p: AnyPhase): Promise<Evaluation> {
    const inputs = p.inputs({ env, organization: org, upstream, simulated: true });
    const program = await p.loadProgram!();
    const stack = `${p.id === 0 ? 'org' : env.name}-0${p.id}-${p.slug}`;
    const accountId = p.id === 0 ? org.managementAccountId : env.accountId;
    const result = await evaluateProgram({ stack, synthetic: { accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
    upstream[p.id] = p.outputs.parse(result.outputs) as Record<string, unknown>;
    return result;
  }

  before(async () => {
    await deploy(organization);
    await deploy(foundation);
    ev = await deploy(cluster);
  });

  it("feeds phase 1's validated outputs into the cluster", () => {
    const p1 = phase1Outputs.parse(upstream[1]);
    const p2 = phase2Outputs.parse(upstream[2]);
    const c = ev.resources.find((r) => r.type === 'eks:index:Cluster')!;
    assert.deepEqual(c.inputs.privateSubnetIds, p1.privateSubnetIds);
    assert.equal(c.inputs.vpcId, p1.vpcId);
    assert.equal(c.inputs.encryptionConfigKeyArn, p1.kmsKeyArns.eksSecrets);
    const karpenter = ev.resources.find((r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name === 'karpenter')!;
    assert.equal((karpenter.inputs.values as any).settings.interruptionQueue, p1.interruptionQueueName);
    const issuer = ev.resources.find((r) => r.type.endsWith(':ClusterIssuer'))!;
    const zoneIds = (issuer.inputs.spec as any).acme.solvers.map((s: any) => s.dns01.route53.hostedZoneID).sort();
    assert.deepEqual(zoneIds, [p1.hostedZoneIds.apex, p1.hostedZoneIds.api].sort());
    const loki = ev.resources.find((r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name === 'loki')!;
    assert.deepEqual((loki.inputs.values as any).loki.storage.bucketNames, p1.lokiBuckets);
    assert.equal(p2.clusterName, env.cluster.name);
  });
});
