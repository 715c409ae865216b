/**
 * Phase records in the env's S3 backend, beside the Pulumi state
 * (`s3://bucket/prefix` -> `prefix/.platform-records/<env>/phase-NN.json`), so operators and CI
 * runners sharing the backend see one truth. The bucket's own settings (versioning, SSE-KMS, TLS-only)
 * protect them as they protect the state.
 */
import { S3Client, GetObjectCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { PlatformError } from '../core/errors.js';
import type { PhaseId } from '../core/phase.js';
import type { PhaseRecord, RecordStore } from '../core/ports.js';

export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Splits `s3://bucket/some/prefix?region=x` into bucket and key prefix (query parameters dropped). */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9.-]{3,63})(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new PlatformError('config-invalid', `backend URL '${url}' is not an s3://<bucket>[/prefix] URL`, { value: url });
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix };
}

export class S3RecordStore implements RecordStore {
  private readonly base: string;

  constructor(
    private readonly client: S3Client,
    private readonly loc: S3Location,
    private readonly env: string,
  ) {
    this.base = [loc.prefix, '.platform-records', env].filter(Boolean).join('/');
  }

  key(phase: PhaseId): string {
    return `${this.base}/phase-${String(phase).padStart(2, '0')}.json`;
  }

  async read(_env: string, phase: PhaseId): Promise<PhaseRecord | undefined> {
    const Key = this.key(phase);
    let text: string;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key }));
      text = await r.Body!.transformToString();
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw new PlatformError('engine-failed', `cannot read phase record s3://${this.loc.bucket}/${Key}: ${(e as Error).message}`, {
        cause: e,
        hint: `check the credentials and the backend URL in the env file (platform doctor --env ${this.env})`,
      });
    }
    try {
      return JSON.parse(text) as PhaseRecord;
    } catch {
      throw new PlatformError('recovery-needed', `phase record s3://${this.loc.bucket}/${Key} is not valid JSON`, {
        hint: 'restore an earlier version of it (the state bucket is versioned)',
      });
    }
  }

  async write(record: PhaseRecord): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.key(record.phase), Body: JSON.stringify(record, null, 2) + '\n', ContentType: 'application/json' }),
    );
  }

  async remove(_env: string, phase: PhaseId): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.key(phase) }));
  }
}
