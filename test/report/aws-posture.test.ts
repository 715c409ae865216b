/**
 * The report's AWS summaries over real AWS SDK v3 clients: Security Hub on the moto emulator (it
 * serves EnableSecurityHub, BatchImportFindings and GetFindings); GuardDuty's statistics and AWS
 * Backup's jobs on recorded responses (moto 5.2.1 serves neither GetFindingsStatistics nor
 * ListBackupJobs), said plainly in recorded-aws.ts.
 */
import { strict as assert } from 'node:assert';
import { BatchImportFindingsCommand, EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { BackupClient } from '@aws-sdk/client-backup';
import { backupSummary, drBackupSummary, guardDutySummary, securityHubSummary } from '../../src/report/aws-posture.js';
import { motoConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { startRecordedAws, type RecordedServer } from './recorded-aws.js';

const ACCOUNT = '123456789012';

describe('report: Security Hub summary (moto)', function () {
  this.timeout(200_000);
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());
  beforeEach(() => moto.reset());

  const finding = (id: string, label: string, title: string, extra: Record<string, unknown> = {}) => ({
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`,
    GeneratorId: 'platform-test',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-11-30T08:00:00Z',
    UpdatedAt: '2026-11-30T08:00:00Z',
    Severity: { Label: label },
    Title: title,
    Description: 'test finding',
    Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::bucket-${id}` }],
    ...extra,
  });

  it('counts active NEW/NOTIFIED findings by severity and lists the critical and high ones', async () => {
    const client = new SecurityHubClient(motoConfig(moto));
    await client.send(new EnableSecurityHubCommand({}));
    await client.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('f1', 'CRITICAL', 'Root account has access keys <script>alert(1)</script>'),
          finding('f2', 'HIGH', 'S3 bucket allows public read'),
          finding('f3', 'MEDIUM', 'Logging disabled'),
          finding('f4', 'HIGH', 'Archived one', { RecordState: 'ARCHIVED' }),
          finding('f5', 'CRITICAL', 'Resolved one', { Workflow: { Status: 'RESOLVED' } }),
        ] as never,
      }),
    );
    const s = await securityHubSummary(client, 'eu-west-1');
    assert.ok(s.available, JSON.stringify(s));
    assert.deepEqual(s.activeBySeverity, { CRITICAL: 1, HIGH: 1, MEDIUM: 1 });
    assert.equal(s.truncated, false);
    assert.deepEqual(
      s.top.map((t) => [t.severity, t.title]),
      [
        ['CRITICAL', 'Root account has access keys <script>alert(1)</script>'],
        ['HIGH', 'S3 bucket allows public read'],
      ],
    );
  });

  it('no reachable account: unavailable with the AWS error, not an empty summary', async () => {
    const client = new SecurityHubClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const s = await securityHubSummary(client, 'eu-west-1');
    assert.equal(s.available, false);
    assert.match((s as { reason: string }).reason, /^Security Hub \(eu-west-1\): .*ECONNREFUSED/);
  });
});

describe('report: GuardDuty and Backup summaries (recorded responses)', () => {
  let server: RecordedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const config = (s: RecordedServer) => ({ region: 'eu-west-1', endpoint: s.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

  it('GuardDuty: the detector and its current findings grouped by severity band', async () => {
    server = await startRecordedAws({
      'GET /detector': { body: { detectorIds: ['12abc34d567e8fa901bc2d34e56789f0'] } },
      'GET /detector/12abc34d567e8fa901bc2d34e56789f0': { body: { status: 'ENABLED', findingPublishingFrequency: 'FIFTEEN_MINUTES', serviceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty` } },
      'POST /detector/12abc34d567e8fa901bc2d34e56789f0/findings/statistics': {
        body: { findingStatistics: { groupedBySeverity: [{ severity: 8, totalFindings: 2 }, { severity: 7, totalFindings: 1 }, { severity: 5, totalFindings: 3 }, { severity: 2, totalFindings: 7 }] } },
      },
    });
    const g = await guardDutySummary(new GuardDutyClient(config(server)), 'eu-west-1');
    assert.deepEqual(g, { available: true, region: 'eu-west-1', detectorId: '12abc34d567e8fa901bc2d34e56789f0', status: 'ENABLED', bySeverity: { high: 3, medium: 3, low: 7 } });
    const stats = server.requests.find((r) => r.path.endsWith('/findings/statistics'))!;
    assert.deepEqual(JSON.parse(stats.body), { groupBy: 'SEVERITY', findingCriteria: { criterion: { 'service.archived': { equals: ['false'] } } } });
  });

  it('GuardDuty: no detector, or access denied, is unavailable with the reason', async () => {
    server = await startRecordedAws({ 'GET /detector': { body: { detectorIds: [] } } });
    const none = await guardDutySummary(new GuardDutyClient(config(server)), 'eu-west-1');
    assert.deepEqual(none, { available: false, reason: 'GuardDuty (eu-west-1): no detector in this region (GuardDuty is not enabled)' });
    await server.close();
    server = await startRecordedAws({ 'GET /detector': { status: 403, errorType: 'AccessDeniedException', body: { message: 'User is not authorized to perform: guardduty:ListDetectors' } } });
    const denied = await guardDutySummary(new GuardDutyClient(config(server)), 'eu-west-1');
    assert.equal(denied.available, false);
    assert.match((denied as { reason: string }).reason, /^GuardDuty \(eu-west-1\): AccessDeniedException: User is not authorized to perform: guardduty:ListDetectors/);
  });

  it('Backup: vaults with their recovery points, the last day of jobs by state, failures with their message', async () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const epoch = (iso: string) => Date.parse(iso) / 1000;
    server = await startRecordedAws({
      'GET /backup-vaults': { body: { BackupVaultList: [{ BackupVaultName: 'platform-prod', BackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:platform-prod`, NumberOfRecoveryPoints: 42, CreationDate: epoch('2026-01-01T00:00:00Z') }] } },
      'GET /backup-jobs': {
        body: {
          BackupJobs: [
            { BackupJobId: 'j1', State: 'COMPLETED', ResourceArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-1`, CreationDate: epoch('2026-11-30T01:30:00Z'), CompletionDate: epoch('2026-11-30T01:52:00Z') },
            { BackupJobId: 'j2', State: 'COMPLETED', ResourceArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-2`, CreationDate: epoch('2026-11-29T13:30:00Z'), CompletionDate: epoch('2026-11-29T13:40:00Z') },
            { BackupJobId: 'j3', State: 'FAILED', ResourceArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-3`, StatusMessage: 'Insufficient privileges to perform this action.', CreationDate: epoch('2026-11-30T01:30:00Z') },
          ],
        },
      },
    });
    const b = await backupSummary(new BackupClient(config(server)), 'eu-west-1', now);
    assert.deepEqual(b, {
      available: true,
      region: 'eu-west-1',
      vaults: [{ name: 'platform-prod', recoveryPoints: 42 }],
      jobsByState: { COMPLETED: 2, FAILED: 1 },
      windowHours: 24,
      lastCompletedAt: '2026-11-30T01:52:00.000Z',
      failed: [{ resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-3`, state: 'FAILED', message: 'Insufficient privileges to perform this action.' }],
    });
    const jobs = server.requests.find((r) => r.path === '/backup-jobs')!;
    assert.equal(Date.parse(jobs.query.get('createdAfter') ?? ''), Date.parse('2026-11-29T10:00:00Z'), `query: ${jobs.query.toString()}`);
  });

  it("DR backups: the DR region's vaults (a client of that region), copies into it from the last day by state, failed and partial copies with their message", async () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const epoch = (iso: string) => Date.parse(iso) / 1000;
    const dest = (region: string) => `arn:aws:backup:${region}:${ACCOUNT}:backup-vault:platform-prod-dr`;
    const copy = (id: string, state: string, region: string, done?: string, message?: string) => ({
      CopyJobId: id, State: state, ResourceArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-${id}`, ResourceType: 'EBS',
      SourceBackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:platform-prod`, SourceRecoveryPointArn: `arn:aws:ec2:eu-west-1::snapshot/snap-${id}`,
      DestinationBackupVaultArn: dest(region), CreationDate: epoch('2026-11-30T02:00:00Z'), ...(done ? { CompletionDate: epoch(done) } : {}), ...(message ? { StatusMessage: message } : {}),
    });
    server = await startRecordedAws({
      'GET /copy-jobs': {
        body: {
          CopyJobs: [
            copy('1', 'COMPLETED', 'eu-central-1', '2026-11-30T02:20:00Z'),
            copy('2', 'COMPLETED', 'eu-central-1', '2026-11-30T02:31:00Z'),
            copy('3', 'FAILED', 'eu-central-1', undefined, 'The destination vault access policy denies backup:CopyIntoBackupVault.'),
            copy('4', 'RUNNING', 'eu-central-1'),
            // A copy to another region (not the env's DR region) is not counted.
            copy('5', 'COMPLETED', 'us-east-1', '2026-11-30T03:00:00Z'),
          ],
        },
      },
    });
    const dr = await startRecordedAws({ 'GET /backup-vaults': { body: { BackupVaultList: [{ BackupVaultName: 'platform-prod-dr', BackupVaultArn: dest('eu-central-1'), NumberOfRecoveryPoints: 40, CreationDate: epoch('2026-01-01T00:00:00Z') }] } } });
    try {
      const d = await drBackupSummary(
        { primary: new BackupClient(config(server)), dr: new BackupClient({ ...config(dr), region: 'eu-central-1' }) },
        { primary: 'eu-west-1', dr: 'eu-central-1' },
        now,
      );
      assert.deepEqual(d, {
        available: true,
        region: 'eu-central-1',
        vaults: [{ name: 'platform-prod-dr', recoveryPoints: 40 }],
        copyJobsByState: { COMPLETED: 2, FAILED: 1, RUNNING: 1 },
        windowHours: 24,
        lastCopiedAt: '2026-11-30T02:31:00.000Z',
        failed: [{ resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-3`, state: 'FAILED', message: 'The destination vault access policy denies backup:CopyIntoBackupVault.' }],
      });
      assert.deepEqual(dr.requests.map((r) => `${r.method} ${r.path} ${r.region}`), ['GET /backup-vaults eu-central-1'], 'the vaults are read in the DR region');
      const jobs = server.requests.find((r) => r.path === '/copy-jobs')!;
      assert.equal(jobs.region, 'eu-west-1', 'copies are listed where they start');
      assert.equal(Date.parse(jobs.query.get('createdAfter') ?? ''), Date.parse('2026-11-29T10:00:00Z'), `query: ${jobs.query.toString()}`);
    } finally {
      await dr.close();
    }
  });

  it('DR backups: copy jobs that cannot be listed make the section unavailable, naming the call and region', async () => {
    server = await startRecordedAws({
      'GET /backup-vaults': { body: { BackupVaultList: [] } },
      'GET /copy-jobs': { status: 403, errorType: 'AccessDeniedException', body: { Message: 'User is not authorized to perform: backup:ListCopyJobs' } },
    });
    const d = await drBackupSummary({ primary: new BackupClient(config(server)), dr: new BackupClient({ ...config(server), region: 'eu-central-1' }) }, { primary: 'eu-west-1', dr: 'eu-central-1' }, new Date('2026-11-30T10:00:00Z'));
    assert.equal(d.available, false);
    assert.match((d as { reason: string }).reason, /^AWS Backup copy jobs \(eu-west-1\): AccessDeniedException: User is not authorized to perform: backup:ListCopyJobs/);
  });
});
