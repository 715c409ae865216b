/**
 * Loads the organization file: `stacks/organization.yaml`, or `stacks/organization.local.yaml` for
 * the offline `local` env (its own simulated organization). Validates it against the organization
 * schema and these cross-field rules, each broken rule one problem naming its path:
 * - `organization` holds exactly one of `existingId` (adopt) and `create: true` (create a new one);
 *   `serviceAccessPrincipals` only with `create: true` (an adopted organization's trusted access is
 *   never changed, so nothing is listed that could remove what it has);
 * - `regions.primary` and `regions.dr` differ;
 * - the local organization uses the simulate engine and a file:// backend inside `.platform/`, and
 *   the shared one does not use the local one's backend.
 * Every failure is one PlatformError line naming the file, line:column and path. Reads only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { EnvConfig } from '../core/env.js';
import {
  LOCAL_ORGANIZATION_FILE,
  ORGANIZATION_FILE,
  OrganizationConfigSchema,
  type OrganizationConfig,
} from '../core/organization.js';
import type { ConfigProblem } from './issues.js';
import { parseConfigSource } from './parse-config.js';

export const ORG_SCHEMA_HINT = 'the schema is OrganizationConfigSchema in src/core/organization.ts';

/** `stacks/organization.yaml` or `stacks/organization.local.yaml`, relative to the repo root. */
export function organizationFile(local: boolean): string {
  return `stacks/${local ? LOCAL_ORGANIZATION_FILE : ORGANIZATION_FILE}`;
}

function insidePlatformDir(url: string): boolean {
  if (!url.startsWith('file://')) return false;
  const segments = url.slice('file://'.length).split('/').filter((s) => s !== '' && s !== '.');
  return segments[0] === '.platform' && !segments.includes('..');
}

/** Problems across fields of a schema-valid organization file; empty when it is consistent. */
export function organizationProblems(org: OrganizationConfig, local: boolean): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const o = org.organization;
  if (o.existingId !== undefined && o.create === true) {
    out.push({
      path: ['organization', 'create'],
      value: 'true',
      text: `organization.create: expected no create when organization.existingId ("${o.existingId}") adopts an organization, got true`,
    });
  } else if (o.existingId === undefined && o.create !== true) {
    out.push({
      path: ['organization'],
      text: 'organization: expected existingId: o-... (adopt the organization the management account belongs to) or create: true (create a new one), got neither',
    });
  }
  if (o.serviceAccessPrincipals !== undefined && o.create !== true) {
    out.push({
      path: ['organization', 'serviceAccessPrincipals'],
      text: 'organization.serviceAccessPrincipals: expected only with create: true (an adopted organization keeps its trusted access as it is), got a list',
    });
  }
  if (org.regions.primary === org.regions.dr) {
    out.push({ path: ['regions', 'dr'], value: org.regions.dr, text: `regions.dr: expected a region other than regions.primary, got "${org.regions.dr}"` });
  }
  if (local) {
    if (org.engine !== 'simulate') out.push({ path: ['engine'], value: org.engine, text: `engine: expected "simulate" for the local organization, got "${org.engine}"` });
    if (!insidePlatformDir(org.backend.url)) {
      out.push({ path: ['backend', 'url'], value: org.backend.url, text: `backend.url: expected file://.platform/<dir> for the local organization, got "${org.backend.url}"` });
    }
  }
  return out;
}

/** Validates the text of an organization file; `file` is how it is named in errors. */
export function parseOrganizationSource(source: string, file: string, local: boolean): OrganizationConfig {
  return parseConfigSource(source, file, OrganizationConfigSchema, (org) => organizationProblems(org, local), ORG_SCHEMA_HINT);
}

/**
 * The validated organization file: `stacks/organization.local.yaml` when `local` (the `local` env's
 * simulated organization), else `stacks/organization.yaml`.
 * Throws PlatformError 'config-missing' (no such file) or 'config-invalid' (unreadable, YAML syntax,
 * schema or cross-field problem), both exit code 2.
 */
export async function loadOrganization(repoRoot: string, opts: { local: boolean }): Promise<OrganizationConfig> {
  const file = organizationFile(opts.local);
  let source: string;
  try {
    source = await readFile(join(repoRoot, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') {
      throw new PlatformError('config-missing', `${file} not found: phase 0 and every env's phase 1 need the organization file`, {
        value: file,
        hint: `create ${file} (copy it from the platform repo and edit it); ${ORG_SCHEMA_HINT}`,
        cause: e,
      });
    }
    throw new PlatformError('config-invalid', `${file}: cannot be read (${code})`, { value: file, hint: 'check that it is a readable file', cause: e });
  }
  return parseOrganizationSource(source, file, opts.local);
}

/**
 * An env file must stay inside its organization: its regions are the two the region-deny SCP
 * allows (the organization's). Throws config-invalid (exit 2) naming both files otherwise.
 */
export function checkEnvInOrganization(env: EnvConfig, org: OrganizationConfig, local: boolean): void {
  for (const key of ['primary', 'dr'] as const) {
    const allowed = [org.regions.primary, org.regions.dr];
    if (!allowed.includes(env.regions[key])) {
      throw new PlatformError('config-invalid', `stacks/${env.name}.yaml: regions.${key}: expected one of the organization's regions (${allowed.join(', ')}), got "${env.regions[key]}"`, {
        value: env.regions[key],
        hint: `the region-deny SCP of ${organizationFile(local)} allows only ${allowed.join(' and ')}: use one of them, or change regions there`,
      });
    }
  }
}
