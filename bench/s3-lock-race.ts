/**
 * Measures the S3 lock's conditional-write race on an S3 endpoint (issue 19): ROUNDS rounds of 10
 * lockers racing for one key; prints how many rounds had more than one or no winner. On plain moto
 * (its check-then-write is not atomic) and on scripts/moto-serialized.py (atomic, as S3 is):
 *   npx tsx bench/s3-lock-race.ts http://127.0.0.1:PORT [ROUNDS]
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Locker } from '../src/state/s3-lock.js';
const endpoint = process.argv[2]!;
const rounds = Number(process.argv[3] ?? 50);
const s3 = new S3Client({ region: 'eu-west-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
await s3.send(new CreateBucketCommand({ Bucket: 'race', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })).catch(() => {});
let multi = 0;
let zero = 0;
for (let r = 0; r < rounds; r++) {
  const clients = Array.from({ length: 10 }, () => new S3Client({ region: 'eu-west-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  const res = await Promise.allSettled(clients.map((c, i) => new S3Locker(c, { bucket: 'race', prefix: '' }, `r${r}-${i}`, { leaseSeconds: 60 }).acquire(`s${r}`, 'up')));
  const won = res.filter((x) => x.status === 'fulfilled').length;
  if (won > 1) multi++;
  if (won === 0) zero++;
  for (const x of res) if (x.status === 'fulfilled') await x.value.release();
  clients.forEach((c) => c.destroy());
}
console.log(JSON.stringify({ rounds, roundsWithMoreThanOneWinner: multi, roundsWithNoWinner: zero }));
process.exit(0);
