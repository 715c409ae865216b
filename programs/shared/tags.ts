/**
 * Standard tags. Every taggable resource carries the env's own tags (from `stacks/<env>.yaml`) plus
 * the platform's bookkeeping tags, so cost reports and clean-up scripts can find what a phase made.
 */

/** Tag keys the platform sets itself; an env file cannot override them. */
export const PLATFORM_TAG_KEYS = ['platform:env', 'platform:phase', 'platform:managed-by'] as const;

/** Tags for one resource of `phase` in `env`: env tags first, platform keys win, `extra` last. */
export function platformTags(
  env: { name: string; tags: Record<string, string> },
  phase: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...env.tags,
    'platform:env': env.name,
    'platform:phase': phase,
    'platform:managed-by': 'platform-cli',
    ...extra,
  };
}
