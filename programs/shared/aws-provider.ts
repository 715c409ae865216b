/**
 * Explicit AWS providers. Every phase program creates its resources through a provider pinned to
 * one account (`allowedAccountIds`), so credentials for the wrong account fail before any change.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface PinnedProviderArgs {
  region: string;
  /** The only account this provider may act in. */
  accountId: pulumi.Input<string>;
  /** Role to assume; omitted for the caller's own credentials (the management account in phase 0). */
  roleArn?: pulumi.Input<string>;
  sessionName?: string;
}

/** An aws.Provider pinned to one account and region, optionally assuming a role. */
export function pinnedProvider(
  name: string,
  args: PinnedProviderArgs,
  opts: pulumi.CustomResourceOptions = {},
): aws.Provider {
  return new aws.Provider(
    name,
    {
      region: args.region as aws.Region,
      allowedAccountIds: [args.accountId],
      ...(args.roleArn !== undefined
        ? { assumeRoles: [{ roleArn: args.roleArn, sessionName: args.sessionName ?? 'platform-cli' }] }
        : {}),
    },
    opts,
  );
}
