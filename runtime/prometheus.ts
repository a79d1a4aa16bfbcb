/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels. Enough for the API's own metrics; the worker's come from the Temporal SDK runtime.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Metric {
  render(): string;
}

abstract class Labelled<S> implements Metric {
  protected readonly series = new Map<string, { values: string[]; state: S }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: 'counter' | 'gauge' | 'histogram',
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
  }
  protected abstract initial(): S;
  protected get(labels: Labels): S {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }
  protected abstract lines(values: string[], state: S): string[];
  render(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values()) out.push(...this.lines(values, state));
    return out.join('\n');
  }
}

export class Counter extends Labelled<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }
  protected initial() {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error('a counter only goes up');
    this.get(labels).value += by;
  }
  protected lines(values: string[], s: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(s.value)}`];
  }
}

export class Gauge extends Labelled<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }
  protected initial() {
    return { value: 0 };
  }
  set(labels: Labels, value: number): void {
    this.get(labels).value = value;
  }
  protected lines(values: string[], s: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(s.value)}`];
  }
}

export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram extends Labelled<{ counts: number[]; sum: number; count: number }> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DEFAULT_SECONDS_BUCKETS,
  ) {
    super(name, help, labelNames, 'histogram');
  }
  protected initial() {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels, value: number): void {
    const s = this.get(labels);
    s.sum += value;
    s.count++;
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
  }
  protected lines(values: string[], s: { counts: number[]; sum: number; count: number }) {
    const out = this.buckets.map((b, i) => `${this.name}_bucket${labelText(this.labelNames, values, ['le', formatNumber(b)])} ${s.counts[i]}`);
    out.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(s.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}
