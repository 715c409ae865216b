/**
 * The VPC address plan, checked before anything is created. Rules (awsx v3 "Auto" strategy):
 * - The VPC is split into equal per-AZ blocks of `/azMask`, azMask = vpcMask + ceil(log2(azCount));
 *   the plan passes azMask to awsx explicitly (`availabilityZoneCidrMask`) so nothing is inferred.
 * - Inside each AZ block the subnet specs are allocated in the order given, each aligned to its own
 *   size (a /19 after a /24 starts at the next /19 boundary). The largest spec goes first so the
 *   alignment gaps stay small.
 * - The DR VPC must not overlap the primary VPC.
 * A plan that does not fit throws a PlatformError naming the env file field to change.
 */
import { PlatformError } from '../../src/core/errors.js';

export interface CidrBlock {
  /** First address as an unsigned 32-bit integer. */
  start: number;
  mask: number;
}

export function parseCidr(cidr: string): CidrBlock {
  const [ip, maskText] = cidr.split('/');
  const mask = Number(maskText);
  const start = ip!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - mask);
  if (start % size !== 0) {
    throw new PlatformError('config-invalid', `CIDR '${cidr}' has host bits set`, {
      value: cidr,
      hint: `use the network address, e.g. ${formatCidr({ start: start - (start % size), mask })}`,
    });
  }
  return { start, mask };
}

export function formatCidr(b: CidrBlock): string {
  const o = [24, 16, 8, 0].map((s) => Math.floor(b.start / 2 ** s) % 256);
  return `${o.join('.')}/${b.mask}`;
}

const sizeOf = (mask: number) => 2 ** (32 - mask);

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.start < y.start + sizeOf(y.mask) && y.start < x.start + sizeOf(x.mask);
}

export interface SubnetPlanInput {
  vpcCidr: string;
  drVpcCidr: string;
  availabilityZones: number;
  privateSubnetMask: number;
  publicSubnetMask: number;
  isolatedSubnetMask: number;
}

export interface SubnetPlan {
  /** Per-AZ block mask handed to awsx. */
  azMask: number;
  /** Bytes of each AZ block used by awsx subnets, alignment included. */
  usedPerAz: number;
}

/** Validates the env's network section and computes the plan. */
export function planSubnets(n: SubnetPlanInput): SubnetPlan {
  const vpc = parseCidr(n.vpcCidr);
  parseCidr(n.drVpcCidr);
  if (overlaps(n.vpcCidr, n.drVpcCidr)) {
    throw new PlatformError('config-invalid', `network.drVpcCidr ${n.drVpcCidr} overlaps network.vpcCidr ${n.vpcCidr}`, {
      value: n.drVpcCidr,
      hint: 'give the DR VPC its own range so the two can be peered or routed later',
    });
  }
  const azMask = vpc.mask + Math.ceil(Math.log2(n.availabilityZones));
  const azSize = sizeOf(azMask);
  let used = 0;
  for (const [field, mask] of [
    ['privateSubnetMask', n.privateSubnetMask],
    ['publicSubnetMask', n.publicSubnetMask],
    ['isolatedSubnetMask', n.isolatedSubnetMask],
  ] as const) {
    const size = sizeOf(mask);
    used = Math.ceil(used / size) * size + size;
    if (used > azSize) {
      throw new PlatformError('config-invalid', `network.${field} /${mask} does not fit: each of ${n.availabilityZones} AZs gets a /${azMask} of ${n.vpcCidr}`, {
        value: `/${mask}`,
        hint: 'use smaller subnets (a larger mask) or a larger vpcCidr',
      });
    }
  }
  return { azMask, usedPerAz: used };
}
