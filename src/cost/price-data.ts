/**
 * The committed price table (validated by price-table.ts when loaded). Written by
 * `scripts/update-prices.ts` from the AWS Price List bulk files; see `generator`, `note` and each
 * entry's `source` for how these numbers were produced. Do not edit by hand except to bootstrap it.
 */
export const priceData: unknown = {
  "schemaVersion": 1,
  "currency": "USD",
  "hoursPerMonth": 730,
  "generator": "manual",
  "generatedAt": "2026-11-30",
  "note": "Bootstrap table, entered by hand (offline session): prices are on-demand list prices as known to the engineer on 2026-11-30 and were not checked against the Price List API. Regenerate with `npx tsx scripts/update-prices.ts` (docs/cost.md) before relying on the numbers.",
  "prices": [
    {
      "key": "ec2:t3.medium",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.0456,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.large",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.107,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.xlarge",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.214,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.2xlarge",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.428,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.large",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.0963,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.xlarge",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.1926,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.2xlarge",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.3852,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ebs:gp3",
      "region": "eu-west-1",
      "unit": "GB-month",
      "usd": 0.088,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "eks:cluster",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.1,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:nat-gateway",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.048,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:interface-endpoint",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.011,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:public-ipv4",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.005,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "elb:network",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.0252,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "elb:application",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.0252,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "kms:key",
      "region": "eu-west-1",
      "unit": "month",
      "usd": 1.0,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "secretsmanager:secret",
      "region": "eu-west-1",
      "unit": "month",
      "usd": 0.4,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "cloudwatch:alarm",
      "region": "eu-west-1",
      "unit": "month",
      "usd": 0.1,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "network-firewall:endpoint",
      "region": "eu-west-1",
      "unit": "hour",
      "usd": 0.395,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:t3.medium",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.048,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.large",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.115,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.xlarge",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.23,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6i.2xlarge",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.46,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.large",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.1035,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.xlarge",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.207,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ec2:m6a.2xlarge",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.414,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "ebs:gp3",
      "region": "eu-central-1",
      "unit": "GB-month",
      "usd": 0.0952,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "eks:cluster",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.1,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:nat-gateway",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.052,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:interface-endpoint",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.012,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "vpc:public-ipv4",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.005,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "elb:network",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.027,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "elb:application",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.027,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "kms:key",
      "region": "eu-central-1",
      "unit": "month",
      "usd": 1.0,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "secretsmanager:secret",
      "region": "eu-central-1",
      "unit": "month",
      "usd": 0.4,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "cloudwatch:alarm",
      "region": "eu-central-1",
      "unit": "month",
      "usd": 0.1,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "network-firewall:endpoint",
      "region": "eu-central-1",
      "unit": "hour",
      "usd": 0.395,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    },
    {
      "key": "route53:hosted-zone",
      "region": "global",
      "unit": "month",
      "usd": 0.5,
      "source": "manual: entered by hand from the AWS public on-demand price pages (values as the engineer knew them); NOT read from the Price List bulk API (no internet in this session); run scripts/update-prices.ts to replace",
      "date": "2026-11-30"
    }
  ]
};
