import { EtlError } from '@brokered-etl/errors';
import type { EnrichmentStep } from '@brokered-etl/pipeline-kit';
import { enrichRecords, type EnrichInput, type EnrichOutcome } from './enricher';
import { noopEnrichmentMetrics, type EnrichmentMetrics } from './enrichment.metrics';
import type { ResponseStore } from './response.store';
import { createServiceLimiter, type ServiceLimiter } from './service-limiter';

export interface EnrichmentRuntimeOptions {
  /** Base URL per service name (ENRICHMENT_SERVICES). */
  services: Readonly<Record<string, string>>;
  store: ResponseStore;
  metrics?: EnrichmentMetrics;
  now?: () => Date;
}

export interface EnrichmentRuntime {
  enrich<Rec>(input: EnrichInput<Rec>): Promise<EnrichOutcome<Rec>>;
  /** Services the given steps call that have no base URL here. */
  unconfigured(steps: ReadonlyArray<{ service: string }>): string[];
  stop(): Promise<void>;
}

/**
 * One per worker: the limiter of each pipeline lives here, so every partition
 * the worker handles shares it (the limits hold per pipeline and instance).
 */
export function createEnrichmentRuntime(options: EnrichmentRuntimeOptions): EnrichmentRuntime {
  const limiters = new Map<string, ServiceLimiter>();
  const limiterOf = (pipeline: string, step: EnrichmentStep<unknown>) => {
    let limiter = limiters.get(pipeline);
    if (!limiter) limiters.set(pipeline, (limiter = createServiceLimiter(step.limits)));
    return limiter;
  };
  return {
    async enrich(input) {
      const baseUrl = options.services[input.step.service];
      // permanent: the chunk is dead-lettered and its run failed with this reason; redrive it once the worker is configured
      if (!baseUrl) throw new EtlError('NOT_FOUND', `no base URL for enrichment service "${input.step.service}" on this worker: set ENRICHMENT_SERVICES=${input.step.service}=http://…`);
      return enrichRecords(input, { store: options.store, limiter: limiterOf(input.pipeline, input.step as EnrichmentStep<unknown>), metrics: options.metrics ?? noopEnrichmentMetrics, baseUrl, now: options.now });
    },
    unconfigured: (steps) => [...new Set(steps.map((s) => s.service))].filter((service) => !options.services[service]),
    async stop() {
      await Promise.all([...limiters.values()].map((l) => l.stop()));
    },
  };
}

/**
 * Which staged responses a run may reuse: everything fetched since `refreshAt`
 * when a refresh was asked (--refresh-enrichment), else everything fetched
 * within the TTL before the run was requested. A run therefore always reuses
 * what it fetched itself: a rerun, a replay or a redrive of it makes no call.
 */
export function reuseFetchedSince(run: { requestedAt: Date }, cacheTtlMs: number, refreshAt?: Date): Date {
  return refreshAt ?? new Date(run.requestedAt.getTime() - cacheTtlMs);
}

/** ENRICHMENT_SERVICES: `name=http://host:port,other=https://…`. Throws with the entry at fault. */
export function parseServiceUrls(text: string | undefined): Record<string, string> {
  const services: Record<string, string> = {};
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    const url = entry.slice(at + 1).trim();
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`"${entry}": expected <service>=<http(s) URL> with a lower-case service name`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${entry}": "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`"${entry}": only http and https services`);
    services[name] = url;
  }
  return services;
}
