/**
 * Builds the real probes a phase's gates use: AWS SDK v3 clients in the env's account and region,
 * a Kubernetes client from phase 2's kubeconfig (built on first use: phases 0 and 1 have none),
 * a DNS resolver, TLS and HTTP. Options override endpoints and trust for tests and special setups.
 */
import type { EnvConfig } from '../../core/env.js';
import { PlatformError } from '../../core/errors.js';
import { createAwsProbe, type AwsProbe, type AwsProbeOptions } from './aws.js';
import { createKubeProbe, type KubeProbe } from './k8s.js';
import { createDnsProbe, type DnsProbe } from './dns.js';
import { createTlsProbe, type TlsProbe } from './tls.js';
import { createHttpProbe, type HttpProbe } from './http.js';

/** Everything a live gate may touch. */
export interface Probes {
  aws: AwsProbe;
  /** Throws `config-invalid` on first use when no kubeconfig is available. */
  readonly k8s: KubeProbe;
  dns: DnsProbe;
  tls: TlsProbe;
  http: HttpProbe;
}

export interface CreateProbesOptions {
  /** Send every AWS call here (an emulator on loopback in tests). */
  awsEndpoint?: string;
  awsCredentials?: AwsProbeOptions['credentials'];
  /** Kubeconfig to use; default: `outputs.kubeconfig` (phase 2's secret output). */
  kubeconfig?: unknown;
  /** Resolvers for DNS gates (`ip` or `ip:port`); default: the system's. */
  dnsServers?: string[];
  /** Extra trusted roots (PEM) for TLS/HTTPS gates; default: the system's. */
  ca?: string | string[];
}

/** Builds real probes for `env`; the phase's `outputs` supply the kubeconfig when there is one. */
export function createProbes(env: EnvConfig, outputs: Record<string, unknown>, opts: CreateProbesOptions = {}): Probes {
  const aws = createAwsProbe({
    region: env.regions.primary,
    ...(opts.awsEndpoint ? { endpoint: opts.awsEndpoint } : {}),
    ...(opts.awsCredentials ? { credentials: opts.awsCredentials } : {}),
  });
  let kube: KubeProbe | undefined;
  return {
    aws,
    get k8s(): KubeProbe {
      if (!kube) {
        const kc = opts.kubeconfig ?? outputs.kubeconfig;
        if (kc === undefined || kc === null || kc === '') {
          throw new PlatformError('config-invalid', 'no kubeconfig to reach the cluster with', {
            hint: `Kubernetes gates need phase 2's kubeconfig output: platform up --phase 2 --env ${env.name}`,
          });
        }
        // EKS tokens are minted in-process (no AWS CLI), as the env's own AWS credentials allow.
        kube = createKubeProbe(kc, {
          eksToken: { ...(opts.awsEndpoint ? { stsEndpoint: opts.awsEndpoint } : {}), ...(opts.awsCredentials ? { credentials: opts.awsCredentials } : {}) },
        });
      }
      return kube;
    },
    dns: createDnsProbe(opts.dnsServers ? { servers: opts.dnsServers } : {}),
    tls: createTlsProbe(opts.ca ? { ca: opts.ca } : {}),
    http: createHttpProbe(opts.ca ? { ca: opts.ca } : {}),
  };
}

export type { AwsProbe, KubeProbe, DnsProbe, TlsProbe, HttpProbe };
