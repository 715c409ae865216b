/**
 * The checkpoint of a stack in an `s3://` DIY backend, read with the AWS SDK as Pulumi lays it out
 * (same keys as the file backend under the URL's prefix; backend/diy/bucket.go, state.go):
 * `<prefix>/.pulumi/meta.yaml` (read once per process) and
 * `<prefix>/.pulumi/stacks/<project>/<stack>.json[.gz|.zst]` (listed, then the newest variant read).
 *
 * The client takes its credentials, and an `AWS_ENDPOINT_URL(_S3)`, from the environment exactly as
 * the Pulumi CLI's Go SDK does; of the URL's query only `region`, `endpoint`, `use_path_style`
 * (`s3ForcePathStyle`) and `disable_https` are understood. Any other option (a `profile`, another SDK) means this reader cannot
 * be sure it reads what the CLI reads: `{ unreadable }`, and the caller asks the CLI.
 */
import { PlatformError } from '../../core/errors.js';
import { metaVersion, missing, parseBucketObject, type ReadResult } from './checkpoint.js';

// gocloud.dev v0.46 (the version pulumi v3.260.0 builds with): aws/aws.go V2ConfigFromURLParams and
// blob/s3blob/s3blob.go. `profile`, `role`, `awssdk`, `anonymous`, `fips`... change what the CLI reads.
const UNDERSTOOD = new Set(['region', 'endpoint', 's3ForcePathStyle', 'use_path_style', 'disable_https']);

export interface S3Backend {
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  pathStyle: boolean;
}

/** Parses `s3://bucket[/prefix][?query]`; `{ unreadable }` for query options we do not interpret. */
export function parseS3Backend(url: string): S3Backend | { unreadable: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { unreadable: `backend URL ${url} does not parse` };
  }
  if (u.protocol !== 's3:' || !u.hostname) return { unreadable: `backend URL ${url} is not s3://<bucket>` };
  const other = [...u.searchParams.keys()].filter((k) => !UNDERSTOOD.has(k));
  if (other.length) return { unreadable: `backend URL option(s) ${other.join(', ')} are not interpreted by the checkpoint reader` };
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  const https = !['true', '1'].includes(u.searchParams.get('disable_https') ?? '');
  return {
    bucket: u.hostname,
    prefix: decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, ''),
    region: u.searchParams.get('region') ?? undefined,
    endpoint: endpoint && !/^[a-z]+:\/\//.test(endpoint) ? `${https ? 'https' : 'http'}://${endpoint}` : endpoint,
    pathStyle: ['true', '1'].includes(u.searchParams.get('s3ForcePathStyle') ?? u.searchParams.get('use_path_style') ?? '') || Boolean(endpoint),
  };
}

type S3 = typeof import('@aws-sdk/client-s3');

/** One reader per engine: the SDK module, clients and each bucket's layout version are loaded once. */
export class S3CheckpointReader {
  private sdk?: Promise<S3>;
  private readonly clients = new Map<string, InstanceType<S3['S3Client']>>();
  private readonly layouts = new Map<string, Promise<number | undefined>>();

  /** `defaultRegion`: the env's primary region, used when neither the URL nor AWS_REGION names one. */
  async read(url: string, project: string, stack: string, defaultRegion?: string): Promise<ReadResult> {
    const b = parseS3Backend(url);
    if ('unreadable' in b) return b;
    const sdk = await (this.sdk ??= import('@aws-sdk/client-s3'));
    const region = b.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? defaultRegion;
    const clientKey = `${region}|${b.endpoint ?? ''}|${b.pathStyle}`;
    let client = this.clients.get(clientKey);
    if (!client) {
      client = new sdk.S3Client({ ...(region ? { region } : {}), ...(b.endpoint ? { endpoint: b.endpoint } : {}), forcePathStyle: b.pathStyle });
      this.clients.set(clientKey, client);
    }
    const root = [b.prefix, '.pulumi'].filter(Boolean).join('/');
    const where = (k: string) => `s3://${b.bucket}/${k}`;
    try {
      const metaKey = `${root}/meta.yaml`;
      // The layout is read once per process; "no meta.yaml yet" (an empty backend) is not kept, since
      // the first `up` writes it.
      const layoutKey = `${b.bucket}/${root}`;
      let layout = this.layouts.get(layoutKey);
      if (!layout) {
        layout = client
          .send(new sdk.GetObjectCommand({ Bucket: b.bucket, Key: metaKey }))
          .then(async (r) => metaVersion(await r.Body!.transformToString()))
          .catch((e: { name?: string }) => {
            if (e.name === 'NoSuchKey' || e.name === 'NotFound') return -1; // an empty backend: no stack yet
            throw e;
          });
        this.layouts.set(layoutKey, layout);
      }
      const version = await layout.catch((e: unknown) => {
        this.layouts.delete(layoutKey);
        throw e;
      });
      if (version === -1) this.layouts.delete(layoutKey);
      if (version === -1) return { view: missing() };
      if (version !== 1) return { unreadable: `${where(metaKey)} says layout version ${version ?? '(none)'}; this CLI reads version 1` };
      const base = `${root}/stacks/${project}/${stack}.json`;
      const listed = await client.send(new sdk.ListObjectsV2Command({ Bucket: b.bucket, Prefix: base, Delimiter: '/' }));
      const variants = (listed.Contents ?? []).filter((o) => o.Key === base || o.Key === `${base}.gz` || o.Key === `${base}.zst`);
      if (!variants.length) return { view: missing() };
      // As Pulumi does: the most recently modified variant is the stack's checkpoint.
      const newest = variants.reduce((a, c) => ((c.LastModified?.getTime() ?? 0) >= (a.LastModified?.getTime() ?? 0) ? c : a));
      const obj = await client.send(new sdk.GetObjectCommand({ Bucket: b.bucket, Key: newest.Key! }));
      return parseBucketObject(newest.Key!, await obj.Body!.transformToByteArray(), where(newest.Key!));
    } catch (e) {
      throw new PlatformError('engine-failed', `cannot read the checkpoint of stack ${stack} from s3://${b.bucket}/${root}: ${(e as Error).message}`, {
        value: url,
        cause: e,
        hint: 'check the credentials and the backend URL in the env file (platform doctor --env <env>)',
      });
    }
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
