/**
 * The GitOps repository (gitops/) against what generates it and what Argo CD will make of it:
 * - the committed generated files equal their generators (services.ts, the env files), so the
 *   service list has one source; image tags are CI's and only their shape is checked;
 * - the ApplicationSets of dev, stg and prod, expanded offline against gitops/services/*, give
 *   exactly 21 Applications, each naming its service, env, namespace and value files that exist;
 * - a service folder added or removed changes the Applications, and a template parameter the
 *   generator does not set fails the expansion (missingkey=error).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { expandApplicationSet } from '../../programs/03-gitops/expand.js';
import { bootstrapObjects, callerWorkflow, envValues, GITOPS_ENVS, githubRepository, serviceEnvValues, serviceValues } from '../../programs/shared/gitops-values.js';
import { SERVICES, SERVICE_NAMES } from '../../programs/shared/services.js';
import { shippedEnv } from '../programs/phase-02-upstream.js';

const gitops = fileURLToPath(new URL('../../gitops/', import.meta.url));
const yaml = (rel: string) => parse(readFileSync(join(gitops, rel), 'utf8'));
const dirsOf = (root: string) => (parent: string) =>
  readdirSync(join(root, parent)).filter((n) => statSync(join(root, parent, n)).isDirectory());

describe('gitops/ repository', () => {
  it('holds exactly the generated files: service values, env values, bootstrap objects (npm run gitops:sync)', () => {
    assert.deepEqual(readdirSync(join(gitops, 'services')).sort(), [...SERVICE_NAMES].sort());
    for (const name of GITOPS_ENVS) {
      const env = shippedEnv(name);
      assert.deepEqual(yaml(`envs/${name}/values.yaml`), envValues(env), `envs/${name}`);
      const boot = bootstrapObjects(env);
      assert.deepEqual(yaml(`bootstrap/${name}/appproject.yaml`), boot.appProject, `bootstrap/${name}/appproject.yaml`);
      assert.deepEqual(yaml(`bootstrap/${name}/applicationset.yaml`), boot.applicationSet, `bootstrap/${name}/applicationset.yaml`);
      for (const s of SERVICES) {
        const v = yaml(`services/${s.name}/values-${name}.yaml`);
        assert.match(v.image.tag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, `${s.name} ${name} tag is a valid image tag`);
        assert.deepEqual(v, serviceEnvValues(s, env, v.image.tag), `services/${s.name}/values-${name}.yaml (run npm run gitops:sync)`);
      }
    }
    for (const s of SERVICES) assert.deepEqual(yaml(`services/${s.name}/values.yaml`), serviceValues(s), `services/${s.name}/values.yaml (run npm run gitops:sync)`);
  });

  it('one CI caller per service, written from services.ts and the env files, delivering dev, stg, prod in order', () => {
    const envs = GITOPS_ENVS.map((e) => shippedEnv(e));
    for (const s of SERVICES) {
      const caller = parse(readFileSync(join(gitops, '..', 'ci', 'callers', `${s.name}.yml`), 'utf8')) as any;
      const delivered = JSON.parse(caller.jobs.ci.with.environments);
      const permissions = caller.jobs.ci.permissions;
      assert.deepEqual(caller, callerWorkflow(s, envs, 'example-org/platform'), `ci/callers/${s.name}.yml (run npm run gitops:sync)`);
      assert.deepEqual(delivered.map((e: any) => [e.name, e.account, e.promotion]), envs.map((e) => [e.name, e.accountId, e.gitops!.promotion]));
      assert.deepEqual(permissions, { contents: 'read', 'id-token': 'write' });
    }
    assert.equal(githubRepository('https://github.com/example-org/gitops-travelsources.git'), 'example-org/gitops-travelsources');
    assert.equal(githubRepository('git@github.com:example-org/gitops.git'), 'example-org/gitops');
    assert.throws(() => githubRepository('https://gitlab.com/a/b.git'), /not a GitHub repository URL/);
  });

  it('the dev, stg and prod ApplicationSets expand to 21 Applications, each with its service, env, namespace and existing value files', () => {
    const all = GITOPS_ENVS.flatMap((env) => expandApplicationSet(yaml(`bootstrap/${env}/applicationset.yaml`), dirsOf(gitops)).map((a) => ({ env, a })));
    assert.equal(all.length, 21);
    assert.deepEqual(all.map(({ a }) => a.name).sort(), GITOPS_ENVS.flatMap((e) => SERVICE_NAMES.map((s) => `${s}-${e}`)).sort());
    for (const { env, a } of all) {
      const svc = a.labels['platform.io/service']!;
      assert.equal(a.name, `${svc}-${env}`);
      assert.equal(a.labels['platform.io/env'], env);
      assert.equal(a.project, env);
      assert.equal(a.namespace, `apps-${env}`);
      assert.equal(a.server, 'https://kubernetes.default.svc');
      assert.equal(a.releaseName, svc);
      assert.equal(a.repoURL, shippedEnv(env).gitops!.repoUrl);
      assert.ok(existsSync(join(gitops, a.path, 'Chart.yaml')), `${a.name}: chart ${a.path}`);
      assert.equal(a.valueFiles.length, 3);
      for (const f of a.valueFiles) {
        const file = normalize(join(gitops, a.path, f));
        assert.ok(file.startsWith(gitops), `${a.name}: ${f} stays inside the repository`);
        assert.ok(existsSync(file), `${a.name}: value file ${f} exists`);
      }
      assert.deepEqual(a.valueFiles, [`../../envs/${env}/values.yaml`, `../../services/${svc}/values.yaml`, `../../services/${svc}/values-${env}.yaml`]);
    }
  });

  it('follows the tree: an eighth service folder is an eighth Application; a removed one is gone', () => {
    const set = yaml('bootstrap/dev/applicationset.yaml');
    const plus = expandApplicationSet(set, () => [...SERVICE_NAMES, 'reviews']);
    assert.equal(plus.length, 8);
    assert.ok(plus.some((a) => a.name === 'reviews-dev'));
    assert.equal(expandApplicationSet(set, () => SERVICE_NAMES.filter((s) => s !== 'cart')).length, 6);
  });

  it('refuses a parameter the generator does not set, and a generator it cannot expand', () => {
    const set = yaml('bootstrap/dev/applicationset.yaml');
    set.spec.template.metadata.name = '{{.path.segments}}-dev';
    assert.throws(() => expandApplicationSet(set, dirsOf(gitops)), /\.path\.segments is not set/);
    const list = yaml('bootstrap/dev/applicationset.yaml');
    list.spec.generators = [{ list: { elements: [] } }];
    assert.throws(() => expandApplicationSet(list, dirsOf(gitops)), /exactly one git generator/);
  });
});
