/** Shared by the phase 10 gate tests: outputs of the contract's shape and a runner for one gate. */
import type { Phase10Outputs } from '../../programs/10-hardening/phase.js';
import { gates } from '../../programs/10-hardening/gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';

export const DOMAIN = 'stg.example.com';
const HOSTS = [DOMAIN, `api.${DOMAIN}`];
const phase10: GatedPhase = { id: 10, gates };

export function outputs10(over: Partial<Phase10Outputs> = {}): Phase10Outputs {
  return {
    experimentTemplateIds: { 'terminate-node': 'EXTterminate0001', 'stop-az': 'EXTstopaz0000001', 'throttle-ec2-api': 'EXTthrottle00001' },
    experimentRoleArn: 'arn:aws:iam::222222222222:role/platform-stg-fis-experiments',
    sloAlarmArns: ['arn:aws:cloudwatch:eu-west-1:222222222222:alarm:stg-slo-ingress-no-healthy-target'],
    scratchNamespace: 'restore-drill',
    publicHosts: HOSTS,
    meshServices: [{ namespace: 'apps-stg', name: 'catalog', port: 8080 }],
    mtlsExceptions: [],
    loadTargets: [{ service: 'catalog', url: `https://api.${DOMAIN}/catalog/health`, rate: 50, p99Ms: 500, maxErrorRate: 0.001 }],
    load: { durationSeconds: 5, connections: 4 },
    chaosExperiment: 'terminate-node',
    podFault: { workload: 'Deployment', name: 'catalog', action: 'evict', recoverySeconds: 60 },
    appNamespace: 'apps-stg',
    restoreDrill: {
      vaultArn: 'arn:aws:backup:eu-west-1:222222222222:backup-vault:platform-stg',
      restoreRoleArn: 'arn:aws:iam::222222222222:role/platform-stg-backup',
      rtoMinutes: 120,
      rpoMinutes: 1500,
      source: { namespace: 'data', statefulSet: 'postgres', database: 'app', image: 'postgres:17.5-bookworm' },
      tables: [{ name: 'public.cdc_probe', timestampColumn: 'created_at' }],
    },
    kubeconfig: 'apiVersion: v1\nkind: Config\n',
    ...over,
  };
}

export async function runGate10(name: string, probes: Partial<Probes>, out = outputs10(), clock = new FakeClock()): Promise<GateResult> {
  const [r] = await runGates(phase10, {
    env: testEnv(),
    outputs: out as unknown as Record<string, unknown>,
    probes: probes as Probes,
    clock,
    signal: new AbortController().signal,
    simulated: false,
    emit: () => {},
    only: [name],
  });
  return r!;
}

