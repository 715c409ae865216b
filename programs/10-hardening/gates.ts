/**
 * Phase 10's gates, each repeatable (`platform verify --phase 10 --env <env>`), each leaving nothing
 * behind, each writing its report as evidence: transport (tls, mtls), load, chaos (FIS) and pod-chaos (the Kubernetes API), and the restore drill.
 */
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { mtlsGate, tlsGate } from './gates-transport.js';
import { loadGate } from './gates-load.js';
import { chaosGate } from './gates-chaos.js';
import { restoreGate } from './gates-restore.js';
import { podChaosGate } from './gates-pod-chaos.js';
import type { Phase10Outputs } from './phase.js';

export const gates: Gate<Phase10Outputs, Probes>[] = [tlsGate, mtlsGate, loadGate, chaosGate, podChaosGate, restoreGate];
