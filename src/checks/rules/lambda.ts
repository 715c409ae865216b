/**
 * Lambda and event-delivery rules (phase 9's responders, any later function too):
 * - `lambda-dead-letter-queue`, `lambda-concurrency-limit`, `lambda-tracing`, `lambda-env-kms`:
 *   a function has a DLQ for failed async invocations, reserved concurrency, active X-Ray tracing
 *   and a customer key for its environment (checkov CKV_AWS_116, 115, 50, 173).
 * - `lambda-role-least-privilege`: a role Lambda assumes carries no managed policy (they grant what
 *   the function does not call), no wildcard action, and Resource "*" only for actions that have no
 *   resource-level permissions (service authorization reference).
 * - `lambda-log-group-owned`: the function's log group (`/aws/lambda/<name>` or its loggingConfig
 *   group) is planned, so the retention and KMS rules see it (Lambda would create one that never
 *   expires and is not encrypted with a customer key).
 * - `event-target-dead-letter`: an EventBridge rule target or a Scheduler schedule that invokes a
 *   function has a DLQ and a retry policy.
 * - `dead-letter-queue-kms`: every queue used as a DLQ is encrypted with a customer KMS key.
 */
import type { CheckResource, ResourceRule, StackRule } from '../types.js';
import { at, isRecord, list, ofType, policyStatements, principals } from '../util.js';

const FN = 'aws:lambda/function:Function';
const ROLE = 'aws:iam/role:Role';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';
const ATTACHMENT = 'aws:iam/rolePolicyAttachment:RolePolicyAttachment';
const TARGET = 'aws:cloudwatch/eventTarget:EventTarget';
const SCHEDULE = 'aws:scheduler/schedule:Schedule';
const QUEUE = 'aws:sqs/queue:Queue';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';

/** Actions with no resource-level permissions that a responder may need (lower case). */
export const NO_RESOURCE_LEVEL = new Set([
  'ec2:describeinstances',
  'ec2:describesnapshots',
  'ec2:describevolumes',
  'ec2:describesecuritygroups',
  'ec2:describenetworkinterfaces',
  'xray:puttracesegments',
  'xray:puttelemetryrecords',
  'ecr:getauthorizationtoken',
  'cloudwatch:putmetricdata',
]);

const isLambdaArn = (v: unknown) => typeof v === 'string' && /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:/.test(v);

function fnCheck(name: string, description: string, mirrors: string[], fix: string, ok: (r: CheckResource) => boolean, property: string, message: string): ResourceRule {
  return {
    kind: 'resource',
    name,
    description,
    severity: 'medium',
    mirrors,
    fix,
    resourceTypes: [FN],
    validateResource(r, report) {
      if (!ok(r)) report({ property, message });
    },
  };
}

function trustsLambda(role: CheckResource): boolean {
  const parsed = policyStatements(role.props.assumeRolePolicy);
  return Boolean(parsed?.statements.some((s) => (s.Effect ?? 'Allow') === 'Allow' && principals(s.Principal).includes('lambda.amazonaws.com')));
}

/** The role a RolePolicy or attachment names: by name, or by the role's id/ARN in simulate. */
function roleKeys(role: CheckResource): Set<string> {
  return new Set([role.props.name, role.id, at(role.props, 'arn')].filter((v): v is string => typeof v === 'string' && v !== ''));
}

const resourceRules: ResourceRule[] = [
  fnCheck('lambda-dead-letter-queue', 'A Lambda function sends failed asynchronous invocations to a dead-letter queue', ['CKV_AWS_116'], 'set deadLetterConfig.targetArn to an encrypted SQS queue', (r) => Boolean(at(r.props, 'deadLetterConfig.targetArn')), 'deadLetterConfig.targetArn', 'failed asynchronous invocations are dropped'),
  fnCheck('lambda-concurrency-limit', 'A Lambda function has reserved concurrency', ['CKV_AWS_115'], 'set reservedConcurrentExecutions', (r) => typeof r.props.reservedConcurrentExecutions === 'number' && r.props.reservedConcurrentExecutions >= 0, 'reservedConcurrentExecutions', 'no reserved concurrency: a flood of events can take the account pool'),
  fnCheck('lambda-tracing', 'A Lambda function traces with X-Ray', ['CKV_AWS_50'], "set tracingConfig.mode to 'Active'", (r) => at(r.props, 'tracingConfig.mode') === 'Active', 'tracingConfig.mode', 'X-Ray tracing is off'),
  fnCheck('lambda-env-kms', "A Lambda function's environment is encrypted with a customer KMS key", ['CKV_AWS_173'], 'set kmsKeyArn', (r) => Boolean(r.props.kmsKeyArn), 'kmsKeyArn', 'the environment is encrypted with the AWS-managed key only'),
  {
    kind: 'resource',
    name: 'event-target-dead-letter',
    description: 'An EventBridge target or Scheduler schedule that invokes a Lambda function has a DLQ and a retry policy',
    severity: 'medium',
    mirrors: ['EventBridge user guide: rule-dlq', 'EventBridge Scheduler user guide: configuring a DLQ'],
    fix: 'set deadLetterConfig.arn and retryPolicy on the target',
    resourceTypes: [TARGET, SCHEDULE],
    validateResource(r, report) {
      const base = r.type === SCHEDULE ? 'target.' : '';
      if (!isLambdaArn(at(r.props, `${base}arn`))) return;
      if (!at(r.props, `${base}deadLetterConfig.arn`)) report({ property: `${base}deadLetterConfig.arn`, message: 'events that cannot be delivered to the function are dropped' });
      if (!isRecord(at(r.props, `${base}retryPolicy`))) report({ property: `${base}retryPolicy`, message: 'no retry policy' });
    },
  },
];

const stackRules: StackRule[] = [
  {
    kind: 'stack',
    name: 'lambda-role-least-privilege',
    description: 'A Lambda execution role has only inline policies with named actions, and Resource "*" only for actions without resource-level permissions',
    severity: 'high',
    mirrors: ['CKV_AWS_355', 'CKV_AWS_290', 'AWS Lambda: execution role least privilege'],
    fix: 'list the actions the handler calls and scope Resource to ARNs (with tag conditions where the action allows)',
    validateStack(resources, report) {
      const roles = ofType(resources, [ROLE]).filter(trustsLambda);
      for (const role of roles) {
        const keys = roleKeys(role);
        if (list(role.props.managedPolicyArns).length) report({ resource: role, property: 'managedPolicyArns', message: 'a managed policy on a Lambda role grants what the function does not call' });
        for (const a of ofType(resources, [ATTACHMENT]).filter((x) => keys.has(String(x.props.role)))) {
          report({ resource: a, property: 'policyArn', message: `a managed policy (${String(a.props.policyArn)}) on Lambda role ${String(role.props.name ?? role.name)}` });
        }
        const docs = [
          ...list<{ policy?: unknown }>(role.props.inlinePolicies).map((p, i) => ({ r: role, path: `inlinePolicies[${i}].policy`, doc: p.policy })),
          ...ofType(resources, [ROLE_POLICY]).filter((p) => keys.has(String(p.props.role))).map((p) => ({ r: p, path: 'policy', doc: p.props.policy })),
        ];
        for (const d of docs) {
          policyStatements(d.doc)?.statements.forEach((s, i) => {
            if ((s.Effect ?? 'Allow') !== 'Allow') return;
            const actions = list<string>(s.Action).map((x) => String(x).toLowerCase());
            const wild = actions.filter((x) => x.includes('*'));
            if (wild.length) report({ resource: d.r, property: `${d.path}.Statement[${i}].Action`, message: `wildcard action ${wild.join(', ')} in a Lambda role` });
            if (s.NotAction !== undefined || s.NotResource !== undefined) report({ resource: d.r, property: `${d.path}.Statement[${i}]`, message: 'NotAction/NotResource in a Lambda role' });
            if (list(s.Resource).map(String).includes('*')) {
              const scoped = actions.filter((x) => !NO_RESOURCE_LEVEL.has(x) && !x.includes('*'));
              if (scoped.length) report({ resource: d.r, property: `${d.path}.Statement[${i}].Resource`, message: `${scoped.join(', ')} on Resource "*" (these actions take resource ARNs)` });
            }
          });
        }
      }
    },
  },
  {
    kind: 'stack',
    name: 'lambda-log-group-owned',
    description: "A Lambda function's log group is managed with it (so its retention and key are checked)",
    severity: 'medium',
    mirrors: ['CKV_AWS_338', 'CKV_AWS_158'],
    fix: 'declare an aws.cloudwatch.LogGroup named /aws/lambda/<function> (or the loggingConfig.logGroup) with retention and a KMS key',
    validateStack(resources, report) {
      const groups = new Set(ofType(resources, [LOG_GROUP]).map((g) => String(g.props.name ?? '')));
      for (const f of ofType(resources, [FN])) {
        const want = String(at(f.props, 'loggingConfig.logGroup') ?? `/aws/lambda/${String(f.props.name ?? f.name)}`);
        if (!groups.has(want)) report({ resource: f, property: 'loggingConfig.logGroup', message: `log group ${want} is not managed: Lambda creates it with no retention and no customer key` });
      }
    },
  },
  {
    kind: 'stack',
    name: 'dead-letter-queue-kms',
    description: 'A queue used as a dead-letter queue (by a function, a rule target or a schedule) is encrypted with a customer KMS key',
    severity: 'medium',
    mirrors: ['CKV_AWS_27', 'AVD-AWS-0135'],
    fix: 'set kmsMasterKeyId on the queue (a key whose policy lets EventBridge use it)',
    validateStack(resources, report) {
      const dlqs = new Set<string>();
      for (const f of ofType(resources, [FN])) dlqs.add(String(at(f.props, 'deadLetterConfig.targetArn') ?? ''));
      for (const t of ofType(resources, [TARGET])) dlqs.add(String(at(t.props, 'deadLetterConfig.arn') ?? ''));
      for (const s of ofType(resources, [SCHEDULE])) dlqs.add(String(at(s.props, 'target.deadLetterConfig.arn') ?? ''));
      dlqs.delete('');
      for (const q of ofType(resources, [QUEUE])) {
        const arn = String(at(q.props, 'arn') ?? '');
        const byName = [...dlqs].some((d) => d.endsWith(`:${String(q.props.name ?? '')}`));
        if (!dlqs.has(arn) && !byName) continue;
        if (!q.props.kmsMasterKeyId) report({ resource: q, property: 'kmsMasterKeyId', message: 'a dead-letter queue without a customer KMS key' });
      }
    },
  },
];

export const lambdaRules: (ResourceRule | StackRule)[] = [...resourceRules, ...stackRules];
