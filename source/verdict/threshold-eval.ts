import type {Percentiles} from '../metrics/histogram.js';
import type {Summary, ThresholdResult} from '../reporters/summary.js';
import {metricKind, onlyGrows, type MetricKind, type Threshold, type ThresholdMetric, type ThresholdOp} from './threshold-parse.js';

type Read = (summary: Summary) => number | null;

const percentile = (pick: (summary: Summary) => Percentiles | null | undefined, name: keyof Percentiles): Read =>
	summary => pick(summary)?.[name] ?? null;
const percent = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? null : ratio * 100);

const families: Record<string, (summary: Summary) => Percentiles | null | undefined> = {
	latency: summary => summary.latencyMs,
	fanout: summary => summary.broadcast?.fanoutMs,
	connect: summary => summary.connectMs,
	reconnect: summary => summary.reconnectMs,
	ttfe: summary => summary.streams?.ttfeMs,
	stream: summary => summary.streams?.streamMs,
};

const readers: Record<string, Read> = {
	// Clients added from the dashboard can open too: never more than all of them.
	connected: summary => Math.min(100, (summary.clients.connected / Math.max(1, summary.clients.requested)) * 100),
	delivery: summary => percent(summary.broadcast ? summary.broadcast.ratio : summary.delivery.ratio),
	// Request streams that ended completed (marker, or a clean end when none was asked for), of those that ended.
	completed: summary => percent(summary.streams?.completedRatio),
	gaps: summary => summary.delivery.gaps,
	duplicates: summary => summary.delivery.duplicates,
	resets: summary => summary.delivery.resets,
	errors: summary => summary.errors.total,
	reconnects: summary => summary.reconnects,
	stale: summary => summary.errors.byKind.stale ?? 0,
	msgs_per_s: summary => summary.messages.perSecond,
	agents_lost: summary => summary.agents?.lost ?? 0,
};

function read(metric: ThresholdMetric, summary: Summary): number | null {
	const direct = readers[metric];
	if (direct) {
		return direct(summary);
	}

	const [family = '', name = ''] = metric.split('.');
	if (family === 'errors') {
		return summary.errors.byKind[name as keyof Summary['errors']['byKind']] ?? 0;
	}

	return percentile(families[family]!, name as keyof Percentiles)(summary);
}

const compare: Record<ThresholdOp, (value: number, limit: number) => boolean> = {
	'<': (value, limit) => value < limit,
	'<=': (value, limit) => value <= limit,
	'>': (value, limit) => value > limit,
	'>=': (value, limit) => value >= limit,
	'==': (value, limit) => value === limit,
};

/**
 * Rounded to 6 decimals before comparing: 999/1000 x 100 is 99.89999999999999 in binary
 * floating point, and `delivery>=99.9%` must pass on it.
 */
const tidy = (value: number) => Number(value.toFixed(6));

/** Each threshold against the summary, in order. A metric with no data is null and fails. */
export function evaluate(thresholds: readonly Threshold[], summary: Summary): ThresholdResult[] {
	return thresholds.map(threshold => {
		const raw = read(threshold.metric, summary);
		const value = raw === null || !Number.isFinite(raw) ? null : tidy(raw);
		return {expr: threshold.expr, metric: threshold.metric, value, passed: value !== null && compare[threshold.op](value, threshold.value)};
	});
}

/**
 * False once a counter that only grows has gone past a `<`, `<=` or `==` limit: no later
 * moment of the run can make it pass. Everything else may still recover (a rate, a
 * percentile, a percentage, a metric with no data yet), so it can always still pass.
 */
export function canStillPass(threshold: Threshold, value: number | null): boolean {
	if (value === null || !onlyGrows(threshold.metric)) {
		return true;
	}

	switch (threshold.op) {
		case '<': {
			return value < threshold.value;
		}

		case '<=':
		case '==': {
			return value <= threshold.value;
		}

		default: {
			return true;
		}
	}
}

/** The summary with `thresholds` filled in from `thresholds` (none: an empty list). */
export function withThresholds(summary: Summary, thresholds: readonly Threshold[]): Summary {
	return {...summary, thresholds: evaluate(thresholds, summary)};
}

/** A measured value with its unit: `99.5%`, `312ms`, `1.5s`, `3`, `12.5/s`, or `no data`. */
export function formatMeasured(metric: string, value: number | null): string {
	if (value === null) {
		return 'no data';
	}

	const kind: MetricKind | undefined = metricKind(metric);
	switch (kind) {
		case 'percent': {
			// Cut, not rounded: 99.999% must not read as the 100% it failed to reach.
			return `${Math.floor(tidy(value * 100)) / 100}%`;
		}

		case 'time': {
			// Percentiles are whole microseconds: 3 decimals show what was compared.
			return value >= 10_000 ? `${Number((value / 1000).toFixed(3))}s` : `${Number(value.toFixed(3))}ms`;
		}

		case 'rate': {
			return `${Number(value.toFixed(2))}/s`;
		}

		default: {
			return String(value);
		}
	}
}
