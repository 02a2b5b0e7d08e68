import type { TrialResult } from './peers-trials';

/** One configuration measured in every round. */
export interface Contender {
  name: string;
  kind: 'raw' | 'raw-small' | 'loader' | 'whole' | 'sink';
  /** Stopped after a fixed time: its rate is what it wrote in the box. */
  timeBoxed?: boolean;
  run(round: number): Promise<TrialResult>;
}

export const PROCESSES = ['extractor', 'transformer', 'loader', 'connect', 'bench', 'db', 'kafka'] as const;

export interface Summary {
  name: string;
  kind: Contender['kind'];
  timeBoxed: boolean;
  rates: number[];
  medianRate: number;
  medianSeconds: number;
  records: number;
  /** Median CPU seconds per process, in PROCESSES order. */
  cpuSeconds: number[];
  cpuMicrosPerRecord: number;
  peakRssMiB: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(contender: Contender, results: TrialResult[]): Summary {
  const rates = results.map((r) => (r.records * 1000) / r.ms);
  const cpu = PROCESSES.map((p) => median(results.map((r) => r.usage.cpuSeconds[p] ?? 0)));
  const cpuPerRecord = median(results.map((r) => (PROCESSES.reduce((sum, p) => sum + (r.usage.cpuSeconds[p] ?? 0), 0) * 1e6) / Math.max(1, r.records)));
  return {
    name: contender.name,
    kind: contender.kind,
    timeBoxed: contender.timeBoxed ?? false,
    rates,
    medianRate: median(rates),
    medianSeconds: median(results.map((r) => r.ms / 1000)),
    records: median(results.map((r) => r.records)),
    cpuSeconds: cpu,
    cpuMicrosPerRecord: cpuPerRecord,
    peakRssMiB: PROCESSES.map((p) => {
      const peak = Math.max(...results.map((r) => r.usage.peakRssBytes[p] ?? 0));
      return peak ? (peak / 1048576).toFixed(0) : '-';
    }),
  };
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');

export function throughputRows(summaries: Summary[], replaceSeconds: number): string[][] {
  return summaries.map((s) => [
    s.timeBoxed ? `${s.name} (stopped after ${replaceSeconds} s)` : s.name,
    n(s.medianRate),
    `${n(Math.min(...s.rates))}–${n(Math.max(...s.rates))}`,
    s.medianSeconds.toFixed(1),
    n(s.records),
  ]);
}

export function resourceRows(summaries: Summary[]): string[][] {
  return summaries.map((s) => [s.name, ...s.cpuSeconds.map((c) => c.toFixed(2)), n(s.cpuMicrosPerRecord)]);
}

/** The targets, each as a measured ratio of medians (those whose contenders ran). */
export function ratioRows(summaries: Summary[]): string[][] {
  const of = (kind: Summary['kind']) => summaries.filter((s) => s.kind === kind);
  const rate = (kind: Summary['kind']) => of(kind)[0]?.medianRate;
  const [raw, loader, whole] = [rate('raw'), rate('loader'), rate('whole')];
  const sinks = of('sink');
  const bestSink = sinks.length ? sinks.reduce((best, s) => (s.medianRate > best.medianRate ? s : best)) : undefined;
  const row = (label: string, measured: number, target: number) => [label, measured.toFixed(2), `≥ ${target}`, measured >= target ? 'yes' : `no (${((measured / target - 1) * 100).toFixed(0)} %)`];
  return [
    ...(loader && bestSink ? [row(`load stage / best sink (${bestSink.name.replace(/^Kafka Connect \+ MongoDB sink [\d.]+, /, '')})`, loader / bestSink.medianRate, 1.5)] : []),
    ...(loader && raw ? [row('load stage / raw insertMany', loader / raw, 0.85)] : []),
    ...(whole && raw ? [row('whole run / raw insertMany', whole / raw, 0.7)] : []),
  ];
}
