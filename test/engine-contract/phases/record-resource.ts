/**
 * A test-only "record" resource built on a Pulumi dynamic provider, so the contract phases run on
 * both engines with no cloud and no plugin download: under mocks it registers as
 * `pulumi-nodejs:dynamic:Resource` (the synthetic state echoes its inputs); on the real engine the
 * provider below runs in Pulumi's Node dynamic-provider host. The provider must be self-contained
 * (it is serialized): no imports, no module-level references.
 *
 * Behaviour: `content` changes update in place; a changed `name` forces replacement, declared twice
 * as Pulumi allows: by the provider's `diff` (which the real engine asks) and by the resource option
 * `replaceOnChanges: ['name']` (which every engine honours; the simulate engine cannot run a dynamic
 * provider's diff, so this option is what it reads); `length` is computed by the provider.
 */
import * as pulumi from '@pulumi/pulumi';

/** The token every dynamic resource registers under. */
export const RECORD_TYPE = 'pulumi-nodejs:dynamic:Resource';

export interface RecordArgs {
  /** Forces replacement when changed. */
  name: pulumi.Input<string>;
  /** Updated in place. */
  content: pulumi.Input<string>;
}

const recordProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { name: string; content: string }) {
    return { id: `record-${inputs.name}`, outs: { name: inputs.name, content: inputs.content, length: String(inputs.content).length } };
  },
  async diff(_id: string, olds: { name?: string; content?: string }, news: { name?: string; content?: string }) {
    const replaces = olds.name !== news.name ? ['name'] : [];
    return { changes: olds.name !== news.name || olds.content !== news.content, replaces, deleteBeforeReplace: false };
  },
  async update(_id: string, _olds: unknown, news: { name: string; content: string }) {
    return { outs: { name: news.name, content: news.content, length: String(news.content).length } };
  },
  async delete() {
    // Nothing outside the state to remove.
  },
};

/** A named record with content; `length` is a computed output. */
export class RecordResource extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  declare readonly length: pulumi.Output<number | undefined>;

  constructor(name: string, args: RecordArgs, opts?: pulumi.CustomResourceOptions) {
    super(recordProvider, name, { ...args, length: undefined }, { ...opts, replaceOnChanges: ['name', ...(opts?.replaceOnChanges ?? [])] });
  }
}
