/**
 * Idempotency by a conditional record (the pattern of Powertools for AWS Lambda's idempotency
 * utility): before acting on an event, a function writes `pk = <fn>#<key>` to a DynamoDB table with
 * `attribute_not_exists(pk)`. Only the writer that wins acts; the record becomes COMPLETED with a
 * summary when the action finished. Rules:
 * - COMPLETED record: the event was handled; the duplicate is skipped (returns the first summary).
 * - IN_PROGRESS record younger than the lock time: another invocation is acting now; this one
 *   throws, so Lambda's async retry comes back later instead of acting twice.
 * - IN_PROGRESS record older than the lock time (a crashed or timed-out invocation): taken over
 *   with a conditional update on the old lock time, so two takers cannot both win.
 * - the action throws: the record is deleted, so the retry acts again (the actions themselves are
 *   written to be safe to repeat: see each handler).
 * Records expire through the table's TTL attribute `expiresAt` after `ttlSeconds`.
 * Why a record and not tags: backup and copy jobs and Health events have no resource the function
 * may tag; one mechanism for every function keeps the rule in one place.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

export interface IdempotencyStore {
  /** Runs `action` once per key; a duplicate gets `{ duplicate: true, result }` with the first run's result. */
  once<T>(key: string, action: () => Promise<T>): Promise<{ duplicate: boolean; result: T }>;
}

export interface IdempotencyOptions {
  table: string;
  fn: string;
  /** How long an IN_PROGRESS record locks the key (the function's timeout plus margin). */
  lockSeconds: number;
  ttlSeconds: number;
  now?: () => number;
}

export class InProgressError extends Error {
  constructor(key: string) {
    super(`event ${key} is being handled by another invocation; retry later`);
    this.name = 'InProgressError';
  }
}

export function dynamoIdempotency(client: DynamoDBClient, o: IdempotencyOptions): IdempotencyStore {
  const now = o.now ?? (() => Date.now());
  return {
    async once<T>(key: string, action: () => Promise<T>) {
      const pk = `${o.fn}#${key}`;
      const t = Math.floor(now() / 1000);
      const lockUntil = t + o.lockSeconds;
      try {
        await client.send(
          new PutItemCommand({
            TableName: o.table,
            Item: { pk: { S: pk }, status: { S: 'IN_PROGRESS' }, lockUntil: { N: String(lockUntil) }, expiresAt: { N: String(t + o.ttlSeconds) } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        const got = await client.send(new GetItemCommand({ TableName: o.table, Key: { pk: { S: pk } }, ConsistentRead: true }));
        const item = got.Item;
        if (item?.status?.S === 'COMPLETED') return { duplicate: true, result: JSON.parse(item.result?.S ?? 'null') as T };
        const oldLock = item?.lockUntil?.N;
        if (item && oldLock !== undefined && Number(oldLock) > t) throw new InProgressError(pk);
        // A stale IN_PROGRESS record (crashed invocation) or one that vanished between the calls: take it over.
        try {
          await client.send(
            new UpdateItemCommand({
              TableName: o.table,
              Key: { pk: { S: pk } },
              UpdateExpression: 'SET lockUntil = :l, expiresAt = :e, #s = :p',
              ConditionExpression: item ? 'lockUntil = :old' : 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':l': { N: String(lockUntil) }, ':e': { N: String(t + o.ttlSeconds) }, ':p': { S: 'IN_PROGRESS' }, ...(item ? { ':old': { N: oldLock! } } : {}) },
            }),
          );
        } catch (e2) {
          if (e2 instanceof ConditionalCheckFailedException) throw new InProgressError(pk);
          throw e2;
        }
      }
      let result: T;
      try {
        result = await action();
      } catch (e) {
        await client.send(new DeleteItemCommand({ TableName: o.table, Key: { pk: { S: pk } } }));
        throw e;
      }
      await client.send(
        new UpdateItemCommand({
          TableName: o.table,
          Key: { pk: { S: pk } },
          UpdateExpression: 'SET #s = :c, #r = :r REMOVE lockUntil',
          ExpressionAttributeNames: { '#s': 'status', '#r': 'result' },
          ExpressionAttributeValues: { ':c': { S: 'COMPLETED' }, ':r': { S: JSON.stringify(result ?? null) } },
        }),
      );
      return { duplicate: false, result };
    },
  };
}
