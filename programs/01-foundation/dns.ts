/**
 * Route53 zones (moved here from phase 6: phase 2's cert-manager and ExternalDNS need the zone ids):
 * the env's zone `<domain>` and `api.<domain>`, delegated from the env zone with an NS record.
 * Delegating `<domain>` itself from its parent (e.g. example.com) is a prerequisite outside the
 * platform (the parent zone is in another account or at a registrar): docs/foundation.md, "DNS
 * delegation"; the `zones-delegated` gate fails, naming the record to add, until it exists.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const DELEGATION_TTL = 172800;

/** The env zone and its api child zone. */
export class PlatformZones extends pulumi.ComponentResource {
  readonly apex: aws.route53.Zone;
  readonly api: aws.route53.Zone;

  constructor(name: string, a: { domain: string; tags: Record<string, string> }, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:dns:PlatformZones', name, {}, opts);
    const child = { parent: this };
    this.apex = new aws.route53.Zone(`${name}-apex`, { name: a.domain, comment: `platform env zone ${a.domain}`, tags: a.tags }, child);
    this.api = new aws.route53.Zone(`${name}-api`, { name: `api.${a.domain}`, comment: `platform api zone api.${a.domain}`, tags: a.tags }, child);
    new aws.route53.Record(
      `${name}-api-delegation`,
      { zoneId: this.apex.zoneId, name: `api.${a.domain}`, type: 'NS', ttl: DELEGATION_TTL, records: this.api.nameServers },
      child,
    );
    this.registerOutputs({ apexZoneId: this.apex.zoneId, apiZoneId: this.api.zoneId });
  }
}
