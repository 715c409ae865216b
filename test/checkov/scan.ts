/**
 * checkov (PyPI, scripts/install-checkov.sh) as a second opinion over everything an env would create
 * in Kubernetes, found the way `platform check` finds it (no second renderer):
 * - the env's phases are planned offline like `platform check --env <env>` (src/cli/offline-plan.ts:
 *   simulate engine on a scratch folder, the repo's organization file);
 * - `platformObjects` (src/checks/runner.ts) gives the plain manifests (ConfigGroups expanded) and
 *   every object of every Helm release rendered by the same `helmRenderer` the checks use;
 * - our own checks run over the same graph with the same renderer (memoised: Helm runs once), so a
 *   checkov failure can be matched to one of our rules (a rule's `mirrors` names the checkov ids it
 *   covers) that reported or suppressed a finding on that very object.
 * One YAML file per object, named after it, so each failure maps back to
 * `<phase>:<plain|release>:<Kind>:<namespace>/<name>` (`-` for a cluster-scoped object). checkov runs
 * once per env (its graph checks, such as CKV2_K8S_6 "a NetworkPolicy selects the pod", must not see
 * the other env's objects), with `--skip-download` and a proxy on a closed loopback port.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { allRules, helmRenderer, platformObjects, runChecks } from '../../src/checks/index.js';
import { isManifestType, manifestOf } from '../../src/checks/manifests.js';
import type { CheckResult, RenderedChart } from '../../src/checks/types.js';
import { loadEnvAndSelection, planOffline } from '../../src/cli/offline-plan.js';

export const CHECKOV_VERSION = '3.3.30';

export function checkovBin(root: string): string {
  const bin = join(root, `.cache/checkov/${CHECKOV_VERSION}/bin/checkov`);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bash scripts/install-checkov.sh`);
  return bin;
}

/** One object written for checkov. */
export interface ScannedObject {
  env: string;
  phase: number;
  /** `<phase>:<plain|release>:<Kind>:<namespace>/<name>`: what suppression entries match. */
  handle: string;
  /** The check resource it is (phase, type, name): how our findings name it. */
  type: string;
  name: string;
  manifest: Record<string, unknown>;
}

export interface EnvObjects {
  env: string;
  objects: ScannedObject[];
  charts: RenderedChart[];
  /** Our own checks over the same graph (findings and suppressed findings name the objects). */
  checks: CheckResult;
}

/** Plans `envName` as `platform check --env <envName>` does and returns every Kubernetes object with inputs. */
export async function envObjects(envName: string, now: number): Promise<EnvObjects> {
  const loaded = await loadEnvAndSelection(envName, {});
  const plan = await planOffline(loaded);
  const renderer = helmRenderer({ root: loaded.repoRoot, kubeVersion: loaded.env.cluster.version });
  const { resources, charts } = await platformObjects(plan.resources, renderer);
  const checks = await runChecks(plan.resources, { env: loaded.env, now, charts: renderer });
  const objects: ScannedObject[] = [];
  for (const r of resources) {
    // A `Kind.get()` read has no inputs: the object is someone else's (a chart's), not created here.
    if (!isManifestType(r.type) || Object.keys(r.props).length === 0) continue;
    const m = manifestOf(r);
    const meta = (m.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const name = typeof meta.name === 'string' ? meta.name : r.name;
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '-';
    objects.push({ env: envName, phase: r.phase, handle: `${r.phase}:${r.chart ? r.chart.release : 'plain'}:${m.kind}:${ns}/${name}`, type: r.type, name: r.name, manifest: m });
  }
  return { env: envName, objects, charts, checks };
}

/** Writes one YAML file per object under `dir`; returns file (relative to dir) -> object. */
export function writeObjects(dir: string, objects: readonly ScannedObject[]): Map<string, ScannedObject> {
  const files = new Map<string, ScannedObject>();
  for (const o of objects) {
    const file = `${o.handle.replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`;
    if (files.has(file)) throw new Error(`two objects map to ${file}: ${files.get(file)!.handle} and ${o.handle}`);
    writeFileSync(join(dir, file), stringify(o.manifest));
    files.set(file, o);
  }
  return files;
}

export interface CheckovFailure {
  check: string;
  title: string;
  object: ScannedObject;
}

export interface CheckovRun {
  passed: number;
  failed: CheckovFailure[];
  resourceCount: number;
  parsingErrors: number;
  /** Files checkov reported at least one result (passed or failed) for. */
  filesJudged: Set<string>;
}

interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; resource_count: number; parsing_errors: number };
  results: Record<'passed_checks' | 'failed_checks', { check_id: string; check_name: string; file_path: string }[]>;
}

/** Runs checkov's Kubernetes framework over the objects written in `dir` (`files`: writeObjects'). */
export function runCheckov(bin: string, dir: string, files: ReadonlyMap<string, ScannedObject>): Promise<CheckovRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    BC_SKIP_MAPPING: 'TRUE',
    // Anything checkov tries to fetch goes to a closed port on loopback, never out.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
  const argv = ['--framework', 'kubernetes', '--directory', dir, '--skip-download', '--output', 'json', '--compact'];
  return new Promise((resolve, reject) => {
    execFile(bin, argv, { env, maxBuffer: 256 * 1024 * 1024, cwd: dir }, (err, stdout, stderr) => {
      // checkov exits 1 when a check failed; any other code, or no JSON, is a broken run.
      if (err && (err as { code?: unknown }).code !== 1) return reject(new Error(`checkov failed: ${err.message}\n${stderr}`));
      let doc: unknown;
      try {
        doc = JSON.parse(stdout);
      } catch {
        return reject(new Error(`checkov printed no JSON: ${stdout.slice(0, 400)}\n${stderr.slice(0, 2000)}`));
      }
      const reports = (Array.isArray(doc) ? doc : [doc]) as CheckovReport[];
      const k8s = reports.find((r) => r.check_type === 'kubernetes');
      if (!k8s) return reject(new Error(`checkov reported no kubernetes results: ${stdout.slice(0, 400)}`));
      const filesJudged = new Set<string>();
      const objectOf = (filePath: string): ScannedObject => {
        const file = filePath.replace(/^\//, '');
        const o = files.get(file);
        if (!o) throw new Error(`checkov reported on a file this scan did not write: ${filePath}`);
        filesJudged.add(file);
        return o;
      };
      try {
        for (const p of k8s.results.passed_checks) objectOf(p.file_path);
        const failed = k8s.results.failed_checks.map((f) => ({ check: f.check_id, title: f.check_name, object: objectOf(f.file_path) }));
        resolve({ passed: k8s.summary.passed, failed, resourceCount: k8s.summary.resource_count, parsingErrors: k8s.summary.parsing_errors, filesJudged });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/** Our rules that mirror a checkov check id (their `mirrors`). */
export function rulesMirroring(check: string): string[] {
  return allRules.filter((r) => r.mirrors.includes(check)).map((r) => r.name);
}

/**
 * The rule of ours that reported this failure's check on the same object (as a finding, which fails
 * `platform check`, or suppressed with a reason and an expiry in the env file), if any.
 */
export function mappedRule(f: CheckovFailure, checks: CheckResult): string | undefined {
  const rules = rulesMirroring(f.check);
  const hit = [...checks.findings, ...checks.suppressed].find((x) => rules.includes(x.rule) && x.phase === f.object.phase && x.type === f.object.type && x.name === f.object.name);
  return hit?.rule;
}

export function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
