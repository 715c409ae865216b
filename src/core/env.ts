/**
 * The env file schema (`stacks/<env>.yaml`). Pure: loading and error rendering live in src/config/.
 * Every difference between dev, stg and prod comes from here, never from `if (env === 'prod')`.
 */
import { z } from 'zod';

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1');
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, 'an IPv4 CIDR such as 10.10.0.0/16')
  .refine((s) => s.split('/')[0]!.split('.').every((o) => Number(o) <= 255), 'octets must be 0-255');
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case DNS name such as dev.example.com');
const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id (quote it in YAML)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/**
 * Longest cluster name: IAM names are at most 64 characters and phase 1's longest is
 * `KarpenterControllerResourceDiscovery-<cluster>` (37 + name).
 */
export const CLUSTER_NAME_MAX_LENGTH = 27;

export const EnvNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'lower-case letters, digits and dashes');

export const SuppressionSchema = z.strictObject({
  rule: z.string().min(1),
  /** `<phase>:<type>:<name>` or a prefix ending in `*`. */
  resource: z.string().min(1),
  reason: z.string().min(10, 'a reason of at least 10 characters'),
  expires: isoDate,
});

export const EnvConfigSchema = z.strictObject({
  name: EnvNameSchema,
  /** The env's workload account; every mutating run checks the caller identity against it. */
  accountId,
  /**
   * Which member account of the organization (stacks/organization.yaml) this env deploys into: phase
   * 0's `dev`, `stg` or `prod` account. Several envs may share one (e.g. `local` simulates `dev`).
   */
  memberAccount: z.enum(['dev', 'stg', 'prod']),
  regions: z.strictObject({ primary: awsRegion, dr: awsRegion }),
  /** The env's domain (`dev.example.com`); the api zone is `api.<domain>`. */
  domain,
  network: z.strictObject({
    vpcCidr: cidr,
    drVpcCidr: cidr,
    availabilityZones: z.number().int().min(2).max(6),
    natGateways: z.enum(['Single', 'OnePerAz']),
    publicSubnetMask: z.number().int().min(16).max(28),
    privateSubnetMask: z.number().int().min(16).max(28),
    isolatedSubnetMask: z.number().int().min(16).max(28),
    networkFirewall: z.boolean(),
    /** Interface endpoints (service short names, e.g. `ecr.api`); the S3 gateway endpoint is always created. */
    interfaceEndpoints: z.array(z.string().regex(/^[a-z0-9.-]+$/)).min(1),
    flowLogRetentionDays: z.number().int().positive(),
  }),
  cluster: z.strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]+$/, 'lower-case letters, digits and dashes, starting with a letter')
      .min(2)
      .max(CLUSTER_NAME_MAX_LENGTH, `at most ${CLUSTER_NAME_MAX_LENGTH} characters (IAM names such as KarpenterControllerResourceDiscovery-<cluster> must fit in 64)`),
    version: z.string().regex(/^1\.\d{2}$/, 'a Kubernetes minor such as 1.34'),
    endpointPublicAccess: z.boolean(),
    publicAccessCidrs: z.array(cidr),
    systemNodes: z.strictObject({
      instanceTypes: z.array(z.string().min(1)).min(1),
      min: z.number().int().min(1),
      desired: z.number().int().min(1),
      max: z.number().int().min(1),
      diskSizeGiB: z.number().int().min(20),
    }),
    spot: z.boolean(),
    karpenterLimits: z.strictObject({ cpu: z.number().int().positive(), memoryGiB: z.number().int().positive() }),
    /**
     * Contact address of the ACME (Let's Encrypt) account. Defaults to `<emailPrefix>+acme@<emailDomain>`.
     * Let's Encrypt refuses reserved domains (example.com...): a real deploy of phase 2 refuses them too.
     */
    acmeEmail: z.email('an e-mail address').optional(),
    /** EKS deletion protection: the cluster cannot be deleted until it is turned off (default false). */
    deletionProtection: z.boolean().optional(),
    /**
     * Karpenter voluntary disruption of phase 2's NodePools (phase 2 owns them): at most
     * `maxDisruptedNodes` at a time, consolidation after `consolidateAfter`, and no voluntary
     * disruption in the optional `freeze` window (a cron start in UTC and a duration). Default: 10%, 1m.
     */
    karpenterDisruption: z
      .strictObject({
        maxDisruptedNodes: z.string().regex(/^((100|[0-9]{1,2})%|[0-9]+)$/, 'a node count or a percentage such as "10%" (Karpenter\'s NodePool pattern)'),
        consolidateAfter: z.string().regex(/^\d+[smh]$/, 'a duration such as 1m or 30m'),
        freeze: z
          .strictObject({
            schedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'a five-field cron schedule such as "0 8 * * mon-fri"'),
            duration: z.string().regex(/^(([0-9]+(h|m))|([0-9]+h[0-9]+m))$/, 'a duration in hours and minutes such as 10h or 1h30m (Karpenter\'s budget pattern)'),
          })
          .optional(),
      })
      .optional(),
  }),
  backend: z.strictObject({
    /** `file://<path>` (relative to the repo) or `s3://bucket/prefix`. */
    url: z.string().regex(/^(file:\/\/|s3:\/\/)\S+$/, 'file://<path> or s3://<bucket>[/prefix]'),
    /**
     * s3:// only: the lease of the CLI's stack locks in the bucket (default 120). A live holder renews
     * it every third of it; a holder that stopped renewing for longer is taken over (docs/team-mode.md).
     */
    lockLeaseSeconds: z.number().int().min(5).max(3600).optional(),
  }),
  secrets: z.strictObject({
    provider: z.string().regex(/^(passphrase|awskms:\/\/\S+)$/, 'passphrase or awskms://<key>'),
    /** A file holding the passphrase; otherwise PULUMI_CONFIG_PASSPHRASE(_FILE) is used. */
    passphraseFile: z.string().min(1).optional(),
  }),
  engine: z.enum(['simulate', 'pulumi']),
  /**
   * The env whose successes this env takes (prod: `promoteFrom: stg`): `up` updates a phase here only
   * with program sources that have succeeded, with their gates, in that env; `--skip-promotion-check
   * "<reason>"` overrides, and the reason goes to the journal (docs/team-mode.md).
   */
  promoteFrom: EnvNameSchema.optional(),
  /**
   * Check the caller's AWS account against accountId before every mutating real-engine operation
   * (default true). Only an env whose account ids are not real (local) turns it off.
   */
  accountGuard: z.boolean().optional(),
  checks: z.strictObject({
    /** Whether a static-check violation blocks `up` (stg, prod) or only warns. */
    blockOnViolation: z.boolean(),
    suppressions: z.array(SuppressionSchema),
  }),
  backupRetentionDays: z.number().int().positive(),
  /**
   * GitOps delivery (phases 3 and 5): the repository Argo CD syncs, and where the services' code and
   * CI live on GitHub. Phase 3 refuses to run without it.
   */
  gitops: z
    .strictObject({
      /** The GitOps repository (a copy of this repo's `gitops/`), as Argo CD clones it. */
      repoUrl: z.string().regex(/^(https:\/\/[^\s/]+\/\S+|git@[^\s:]+:\S+)$/, 'an https:// or git@host: repository URL'),
      /** Branch or tag Argo CD follows. */
      targetRevision: z.string().regex(/^[A-Za-z0-9._\/-]+$/, 'a branch or tag name'),
      /** GitHub owner (organisation) of the service repositories `<owner>/<service>`; CI roles trust only them. */
      githubOwner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub organisation or user name'),
      /** Branch whose CI runs may push images for this env (the OIDC trust names it). */
      ciBranch: z.string().regex(/^[A-Za-z0-9._\/-]+$/, 'a branch name'),
      /** How CI updates this env's image tags: a direct commit (dev) or a pull request (stg, prod). */
      promotion: z.enum(['commit', 'pull-request']),
      /**
       * Argo CD with redundant replicas and Redis HA (needs three nodes in distinct zones), and a
       * guarded delivery: syncs only in the weekday window, ApplicationSet deletion keeps the apps.
       */
      highAvailability: z.boolean(),
      /** Secrets Manager secret (under `<env>/`) holding Argo CD's repository credentials. */
      repoCredentialsSecret: z.string().regex(/^[A-Za-z0-9/_+=.@-]+$/, 'a Secrets Manager secret name'),
    })
    .optional(),
  /**
   * Phase 4 sizes: PostgreSQL (replicas > 1 adds streaming read replicas), Kafka node pools, Connect
   * workers, the Connect image and the tables captured by CDC. Absent: phase 4 refuses to plan.
   */
  data: z
    .strictObject({
      postgres: z.strictObject({
        replicas: z.number().int().min(1).max(5),
        storageGiB: z.number().int().min(1),
        memoryGiB: z.number().positive(),
        cpu: z.number().positive(),
        /** Cron schedule (UTC) of the logical backups to the env's data-backup bucket. */
        backupSchedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'a five-field cron schedule such as "15 2 * * *"'),
      }),
      kafka: z.strictObject({
        controllers: z.number().int().min(1).max(5),
        brokers: z.number().int().min(1).max(12),
        storageGiB: z.number().int().min(1),
        memoryGiB: z.number().positive(),
      }),
      connect: z.strictObject({
        replicas: z.number().int().min(1).max(6),
        /** The Connect image with the Debezium PostgreSQL plugin (built by CI from the Strimzi Kafka image). */
        image: z.string().regex(/^\S+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, 'an image reference with a tag or digest'),
      }),
      /** Tables captured besides the gate's probe table, schema-qualified (`public.orders`). */
      cdcTables: z.array(z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'a lower-case schema.table name')),
    })
    .optional(),
  /**
   * Phase 8: the AWS Backup rule (schedule, cold storage; retention is backupRetentionDays, in both
   * regions) and the pilot-light
   * DR cluster (same Kubernetes version and add-ons as phase 2's, at minimal size, no workloads).
   * Absent: phase 8 refuses to plan.
   */
  resilience: z
    .strictObject({
      backup: z.strictObject({
        /** AWS Backup's six-field cron in UTC, e.g. `cron(0 3 * * ? *)`. */
        schedule: z.string().regex(/^cron\((\S+ ){5}\S+\)$/, 'an AWS Backup cron expression such as "cron(0 3 * * ? *)"'),
        /** Days before a recovery point moves to cold storage; absent: never. Cold storage lasts at least 90 days. */
        coldStorageAfterDays: z.number().int().min(1).optional(),
      }),
      drCluster: z.strictObject({
        /** false: no pilot-light cluster (backups are still copied to the DR vault); `platform failover` refuses the env. */
        enabled: z.boolean(),
        nodes: z.strictObject({
          instanceTypes: z.array(z.string().min(1)).min(1),
          min: z.number().int().min(1),
          desired: z.number().int().min(1),
          max: z.number().int().min(1),
          diskSizeGiB: z.number().int().min(20),
        }),
      }),
    })
    .optional(),
  /**
   * Phase 10 (hardening): the recovery targets the restore drill is judged against, which FIS
   * experiment the chaos gate runs and in which zone, the load test's length, the append-only tables
   * the drill compares, and the PeerAuthentications allowed to be other than STRICT. Absent: phase 10
   * refuses to plan.
   */
  hardening: z
    .strictObject({
      /** Recovery time objective: restore job started to data validated, in minutes. */
      rtoMinutes: z.number().int().positive(),
      /** Recovery point objective: the newest recovery point's age when the drill starts, in minutes. */
      rpoMinutes: z.number().int().positive(),
      chaos: z.strictObject({
        /** The experiment `platform verify --phase 10` runs (all three templates exist). */
        experiment: z.enum(['terminate-node', 'stop-az', 'throttle-ec2-api']),
        /** The zone whose nodes the stop-az experiment stops, e.g. eu-west-1a. */
        availabilityZone: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'an availability zone such as eu-west-1a'),
        /**
         * The pod-level fault the pod-chaos gate injects through the Kubernetes API: one pod of a
         * service's workload (kind and name, in the app namespace) deleted or evicted (eviction
         * honours the PodDisruptionBudget), which must be back to full availability within
         * recoverySeconds (10-1800).
         */
        podFault: z.strictObject({
          workload: z.enum(['Rollout', 'Deployment']),
          name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a service name such as catalog'),
          action: z.enum(['delete', 'evict']),
          recoverySeconds: z.number().int().min(10).max(1800),
        }),
      }),
      load: z.strictObject({
        /** Seconds of load per public route (5-600). */
        durationSeconds: z.number().int().min(5).max(600),
        /** Concurrent connections per route (1-1000). */
        connections: z.number().int().min(1).max(1000),
      }),
      restoreDrill: z.strictObject({
        /** Append-only tables compared between source and restore, with the column that orders them in time. */
        tables: z
          .array(z.strictObject({
            name: z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'a lower-case schema.table name'),
            timestampColumn: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case column name'),
          }))
          .min(1),
      }),
      /** PeerAuthentications (`<namespace>/<name>`) allowed to be other than STRICT, each with its reason. */
      mtlsExceptions: z.array(z.strictObject({ name: z.string().regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, '<namespace>/<name>'), reason: z.string().min(10) })),
    })
    .optional(),
  /**
   * Phase 7 (observability): tracing. Istio's sidecars sample `samplingPercent` of the requests that
   * arrive without a sampling decision (the mesh-wide Telemetry resource; keep it low in prod, where
   * traffic is high); Tempo keeps traces `retentionHours` on a `storageGiB` gp3 volume. Absent:
   * phase 7 refuses to plan.
   */
  observability: z
    .strictObject({
      tracing: z.strictObject({
        /** Percent of requests traced (0-100, two decimals at most: Istio's precision is 0.01). */
        samplingPercent: z
          .number()
          .min(0)
          .max(100)
          .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-9, 'a percentage with at most two decimals (Istio samples in steps of 0.01)'),
        /** Hours Tempo keeps a trace (1-720). */
        retentionHours: z.number().int().min(1).max(720),
        /** Size of Tempo's volume in GiB. */
        storageGiB: z.number().int().min(1).max(1000),
      }),
    })
    .optional(),
  tags: z.record(z.string(), z.string()),
});

export type EnvConfig = z.infer<typeof EnvConfigSchema>;
export type Suppression = z.infer<typeof SuppressionSchema>;
