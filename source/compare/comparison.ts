import type {Summary} from '../reporters/summary.js';

/** Which way is better for a metric; null: neither (shown, not judged). */
export type Better = 'lower' | 'higher' | null;

export type ComparedMetric = {
	/** ms, %, /s or a count */
	unit: 'ms' | '%' | '/s' | 'count';
	better: Better;
	/** per target name; null where the target measured nothing */
	values: Record<string, number | null>;
	/** each value divided by the first target's (the baseline); null when either is missing or the baseline is 0 */
	ratios: Record<string, number | null>;
	/** the target with the better value; null when no direction, a tie, or fewer than two measured */
	best: string | null;
};

/** The `comparison` block of `--json` (README: "Comparing targets"). */
export type Comparison = {
	/** the target names, in --target order; the first is the baseline of the ratios */
	targets: string[];
	baseline: string;
	metrics: Record<MetricName, ComparedMetric>;
};

type MetricSpec = {unit: ComparedMetric['unit']; better: Better; label: string; short: string; read(summary: Summary): number | null};

const p = (value: number | undefined | null) => value ?? null;
const latency = (summary: Summary) => summary.latencyMs ?? summary.broadcast?.latencyMs ?? null;
const ratio = (value: number | null | undefined) => (value === null || value === undefined ? null : value * 100);

/** In display order; `open` is live only (at the end every client is closed). */
export const metricSpecs = {
	open: {unit: 'count', better: 'higher', label: 'open', short: 'open', read: summary => summary.connections.active},
	connected: {unit: '%', better: 'higher', label: 'connected', short: 'conn', read: summary => Math.min(100, (summary.clients.connected / Math.max(1, summary.clients.requested)) * 100)},
	msgsPerSec: {unit: '/s', better: 'higher', label: 'msgs/s', short: 'msg/s', read: summary => summary.messages.perSecond},
	latencyP50: {unit: 'ms', better: 'lower', label: 'latency p50', short: 'p50', read: summary => p(latency(summary)?.p50)},
	latencyP99: {unit: 'ms', better: 'lower', label: 'latency p99', short: 'p99', read: summary => p(latency(summary)?.p99)},
	fanoutP99: {unit: 'ms', better: 'lower', label: 'fan-out p99', short: 'fan99', read: summary => p(summary.broadcast?.fanoutMs?.p99)},
	delivery: {unit: '%', better: 'higher', label: 'delivery', short: 'deliv', read: summary => ratio(summary.broadcast ? summary.broadcast.ratio : summary.delivery.ratio)},
	errors: {unit: 'count', better: 'lower', label: 'errors', short: 'errs', read: summary => summary.errors.total},
	reconnects: {unit: 'count', better: 'lower', label: 'reconnects', short: 'recon', read: summary => summary.reconnects},
	heartbeats: {unit: 'count', better: null, label: 'heartbeats', short: 'hb', read: summary => summary.heartbeats.total},
	connectP99: {unit: 'ms', better: 'lower', label: 'connect p99', short: 'c-p99', read: summary => p(summary.connectMs?.p99)},
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof metricSpecs;
export const metricNames = Object.keys(metricSpecs) as MetricName[];

const tidy = (value: number) => Number(value.toFixed(4));

/** One metric across the targets: values, ratios to the first, and the better one. */
export function compareMetric(name: MetricName, targets: ReadonlyArray<{name: string; summary: Summary}>): ComparedMetric {
	const spec: MetricSpec = metricSpecs[name];
	const values: Record<string, number | null> = {};
	for (const target of targets) {
		const value = spec.read(target.summary);
		values[target.name] = value === null || !Number.isFinite(value) ? null : tidy(value);
	}

	const base = values[targets[0]!.name] ?? null;
	const ratios: Record<string, number | null> = {};
	for (const target of targets) {
		const value = values[target.name] ?? null;
		ratios[target.name] = value === null || base === null || base === 0 ? (value !== null && value === base ? 1 : null) : tidy(value / base);
	}

	return {unit: spec.unit, better: spec.better, values, ratios, best: bestOf(spec.better, values)};
}

function bestOf(better: Better, values: Record<string, number | null>): string | null {
	const measured = Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== null);
	if (better === null || measured.length < 2) {
		return null;
	}

	const pick = better === 'lower' ? Math.min(...measured.map(([, value]) => value)) : Math.max(...measured.map(([, value]) => value));
	const winners = measured.filter(([, value]) => value === pick);
	return winners.length === 1 ? winners[0]![0] : null;
}

/** The `comparison` block from the targets' own summaries (the final ones, or live ones for the dashboard). */
export function compareSummaries(targets: ReadonlyArray<{name: string; summary: Summary}>): Comparison {
	const metrics = Object.fromEntries(metricNames.map(name => [name, compareMetric(name, targets)])) as Record<MetricName, ComparedMetric>;
	return {targets: targets.map(target => target.name), baseline: targets[0]!.name, metrics};
}
