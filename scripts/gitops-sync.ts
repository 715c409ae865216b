/**
 * Writes the generated files of gitops/ from programs/shared/services.ts and stacks/{dev,stg,prod}.yaml
 * (run: npm run gitops:sync). Image tags already in a values-<env>.yaml are kept (CI owns them); a
 * new service starts at the placeholder tag. Service folders no longer in the list are reported,
 * never deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { EnvConfigSchema } from '../src/core/env.js';
import { bootstrapObjects, callerWorkflow, envValues, GITOPS_ENVS, PLACEHOLDER_TAG, serviceEnvValues, serviceValues } from '../programs/shared/gitops-values.js';
import { SERVICES } from '../programs/shared/services.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const gitops = join(root, 'gitops');
/** Where the reusable workflow lives (this repository, as the platform team publishes it). */
const PLATFORM_REPOSITORY = 'example-org/platform';
const HEADER = '# Written by `npm run gitops:sync` from programs/shared/services.ts and stacks/<env>.yaml; edit those.\n';

function write(file: string, value: unknown, header = HEADER): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, header + stringify(value, { lineWidth: 0 }));
}

for (const name of GITOPS_ENVS) {
  const env = EnvConfigSchema.parse(parse(readFileSync(join(root, 'stacks', `${name}.yaml`), 'utf8')));
  write(join(gitops, 'envs', name, 'values.yaml'), envValues(env));
  const boot = bootstrapObjects(env);
  write(join(gitops, 'bootstrap', name, 'appproject.yaml'), boot.appProject);
  write(join(gitops, 'bootstrap', name, 'applicationset.yaml'), boot.applicationSet);
  for (const s of SERVICES) {
    const file = join(gitops, 'services', s.name, `values-${name}.yaml`);
    const current = existsSync(file) ? (parse(readFileSync(file, 'utf8')) as { image?: { tag?: string } }) : undefined;
    write(file, serviceEnvValues(s, env, current?.image?.tag ?? PLACEHOLDER_TAG), `${HEADER}# image.tag is CI's: the service workflow rewrites it (commit or pull request per env policy).\n`);
  }
}
for (const s of SERVICES) write(join(gitops, 'services', s.name, 'values.yaml'), serviceValues(s));
const envs = GITOPS_ENVS.map((name) => EnvConfigSchema.parse(parse(readFileSync(join(root, 'stacks', `${name}.yaml`), 'utf8'))));
for (const s of SERVICES) {
  write(join(root, 'ci', 'callers', `${s.name}.yml`), callerWorkflow(s, envs, PLATFORM_REPOSITORY), `${HEADER}# Copy to .github/workflows/ci.yml of the ${s.name} service repository.\n`);
}
const listed = new Set(SERVICES.map((s) => s.name));
for (const dir of readdirSync(join(gitops, 'services'))) {
  if (!listed.has(dir)) process.stderr.write(`gitops/services/${dir} is not in programs/shared/services.ts: remove it to stop delivering it\n`);
}
