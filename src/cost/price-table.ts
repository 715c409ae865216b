/**
 * The price table the cost estimate reads: one entry per (price key, region), with its unit, its
 * USD price, where it came from and when. Validated by a zod schema when loaded, so a regenerated
 * table with a missing field or a negative price is refused, never half-used.
 *
 * Price keys (what `pricers.ts` asks for; `scripts/update-prices.ts` knows how to find each one in
 * the AWS Price List bulk files):
 *   ec2:<instanceType>           Linux on-demand, shared tenancy, per hour
 *   ebs:gp3                      per GB-month
 *   eks:cluster                  EKS control plane (standard support), per hour
 *   vpc:nat-gateway              per hour (data processed is usage: not estimated)
 *   vpc:interface-endpoint       per endpoint ENI (one per AZ) per hour
 *   vpc:public-ipv4              per in-use public IPv4 address per hour
 *   elb:network / elb:application  per load balancer per hour (LCUs are usage: not estimated)
 *   kms:key                      per customer managed key per month
 *   route53:hosted-zone          per hosted zone per month (first 25 zones)
 *   secretsmanager:secret        per secret per month
 *   cloudwatch:alarm             per standard-resolution metric alarm per month
 *   network-firewall:endpoint    per firewall endpoint (one per AZ) per hour
 *   rds:<instanceClass>:<engine> per DB instance per hour (single-AZ)
 *   msk:<instanceType>           per broker per hour
 * Region `global` holds prices that do not vary by region (Route 53).
 */
import { z } from 'zod';

export const PRICE_UNITS = ['hour', 'month', 'GB-month'] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const PriceEntry = z
  .object({
    key: z.string().regex(/^[a-z0-9-]+:[a-zA-Z0-9.:-]+$/, 'a price key like ec2:m6i.large'),
    region: z.string().regex(/^([a-z]{2}(-[a-z]+)+-\d|global)$/, 'an AWS region code or "global"'),
    unit: z.enum(PRICE_UNITS),
    usd: z.number().finite().nonnegative(),
    /** Where the number came from: a Price List bulk file URL (with its SKU) or how it was entered. */
    source: z.string().min(1),
    /** When it was read from its source. */
    date: isoDate,
  })
  .strict();
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceTable = z
  .object({
    schemaVersion: z.literal(1),
    currency: z.literal('USD'),
    /** Hours in the month the estimate uses for hourly prices (AWS's own calculator uses 730). */
    hoursPerMonth: z.number().positive(),
    /** How the table was produced: `scripts/update-prices.ts` or `manual` (see `note`). */
    generator: z.enum(['scripts/update-prices.ts', 'manual']),
    generatedAt: isoDate,
    note: z.string(),
    prices: z.array(PriceEntry).min(1),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.prices.forEach((p, i) => {
      const id = `${p.key}@${p.region}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['prices', i], message: `duplicate price ${id}` });
      seen.add(id);
    });
  });
export type PriceTable = z.infer<typeof PriceTable>;

/** The table's prices indexed for lookup. */
export class Prices {
  private readonly byId: Map<string, PriceEntry>;
  constructor(readonly table: PriceTable) {
    this.byId = new Map(table.prices.map((p) => [`${p.key}@${p.region}`, p]));
  }
  /** The entry for a key in a region (or in `global`); undefined when the table has none. */
  find(key: string, region: string): PriceEntry | undefined {
    return this.byId.get(`${key}@${region}`) ?? this.byId.get(`${key}@global`);
  }
  /** The monthly USD of one unit of this entry. */
  monthly(entry: PriceEntry): number {
    return entry.unit === 'hour' ? entry.usd * this.table.hoursPerMonth : entry.usd;
  }
}

/** Validates a table; the error names the first wrong field. */
export function parsePriceTable(raw: unknown): PriceTable {
  return PriceTable.parse(raw);
}
