import type {ErrorKind} from '../engine/types.js';
import {UsageError} from '../errors.js';

export const thresholdOps = ['<', '<=', '>', '>=', '=='] as const;
export type ThresholdOp = typeof thresholdOps[number];

/**
 * How a metric is measured, which decides the units it takes: `percent` takes `%` (a bare
 * number is a percent too), `time` takes `ms` or `s` (bare: ms), `count` and `rate` take none.
 */
export type MetricKind = 'percent' | 'time' | 'count' | 'rate';

const percentileNames = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
const timeFamilies = ['latency', 'fanout', 'connect', 'reconnect', 'ttfe', 'stream'] as const;
type TimeMetric = `${typeof timeFamilies[number]}.${typeof percentileNames[number]}`;

const fixedMetrics = {
	connected: 'percent',
	delivery: 'percent',
	completed: 'percent',
	gaps: 'count',
	duplicates: 'count',
	resets: 'count',
	errors: 'count',
	reconnects: 'count',
	stale: 'count',
	msgs_per_s: 'rate',
	agents_lost: 'count',
} as const satisfies Record<string, MetricKind>;

/** Every ErrorKind, checked by the compiler: a kind added to engine/types.ts must be added here. */
const errorKindSet = {
	connect: true,
	timeout: true,
	status: true,
	'content-type': true,
	stream: true,
	'too-large': true,
	protocol: true,
	rejected: true,
	stale: true,
} as const satisfies Record<ErrorKind, true>;
export const errorKinds = Object.keys(errorKindSet) as ErrorKind[];

export type ThresholdMetric = keyof typeof fixedMetrics | TimeMetric | `errors.${ErrorKind}`;

/** The short forms: `p99` is `latency.p99`. */
const aliases: Record<string, TimeMetric> = Object.fromEntries(percentileNames.map(name => [name, `latency.${name}`]));

const metricKinds = new Map<string, MetricKind>([
	...Object.entries(fixedMetrics),
	...timeFamilies.flatMap(family => percentileNames.map(name => [`${family}.${name}`, 'time'] as const)),
	...errorKinds.map(kind => [`errors.${kind}`, 'count'] as const),
]);

/** One parsed `--threshold`: `value` is in the metric's own unit (ms, percent, count, per second). */
export type Threshold = Readonly<{
	/** as typed, trimmed */
	expr: string;
	metric: ThresholdMetric;
	kind: MetricKind;
	op: ThresholdOp;
	value: number;
}>;

/**
 * Counters that never go down during a run, so `<`, `<=` and `==` on them fail for good once
 * passed (what lets --abort-on-fail give up early). Not gaps: delivery accounting takes a gap
 * back when the missing message arrives late.
 */
export function onlyGrows(metric: ThresholdMetric): boolean {
	return metricKinds.get(metric) === 'count' && metric !== 'gaps';
}

/** The metric's kind, for any name evaluate() reports (undefined for a name it never reports). */
export function metricKind(metric: string): MetricKind | undefined {
	return metricKinds.get(metric);
}

const example = `--threshold 'p99<250ms'`;
const accepted = `metrics: connected, delivery (%), completed (%), gaps, duplicates, resets, errors, errors.KIND (${errorKinds.join('|')}), reconnects, stale, agents_lost, `
	+ `{latency,fanout,connect,reconnect,ttfe,stream}.{p50,p90,p99,p999,max} (ms or s; p50 ... max alone are latency), msgs_per_s`;

function bad(text: string, why: string): UsageError {
	return new UsageError(`--threshold "${text}": ${why}; ${accepted}; for example ${example}`);
}

const expression = /^\s*([a-z_][\w.-]*)\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/i;

/** `METRIC OP VALUE[unit]` -> a Threshold, or a one-line UsageError listing the metrics. */
export function parseThreshold(text: string): Threshold {
	const match = expression.exec(text);
	if (!match) {
		return parseFailure(text);
	}

	const [, name = '', op = '', number = '', rawUnit] = match;
	const typed = name.toLowerCase();
	const metric = aliases[typed] ?? typed;
	const kind = metricKinds.get(metric);
	if (kind === undefined) {
		throw bad(text, typed.startsWith('errors.') ? `"${typed.slice(7)}" is not an error kind` : `unknown metric "${name}"`);
	}

	const unit = rawUnit?.toLowerCase();
	let value = Number(number);
	if (kind === 'time') {
		if (unit === '%') {
			throw bad(text, `${metric} is a time: give it in ms or s`);
		}

		value = unit === 's' ? value * 1000 : value;
	} else if (kind === 'percent') {
		if (unit !== undefined && unit !== '%') {
			throw bad(text, `${metric} is a percentage: give it with % (or a bare number)`);
		}

		if (value > 100) {
			throw bad(text, `${metric} is a percentage from 0 to 100`);
		}
	} else if (unit !== undefined) {
		throw bad(text, `${metric} is a ${kind === 'rate' ? 'number' : 'count'}: give it without a unit`);
	}

	if (op === '<' && value === 0) {
		throw bad(text, `no ${metric} is ever below 0: did you mean ${metric}==0`);
	}

	return Object.freeze({expr: text.trim(), metric: metric as ThresholdMetric, kind, op: op as ThresholdOp, value});
}

function parseFailure(text: string): never {
	if (/^\s*[a-z_][\w.-]*\s*(=|!=|=<|=>)\s*/i.test(text)) {
		throw bad(text, `the operator must be one of ${thresholdOps.join(' ')}`);
	}

	if (/^\s*[a-z_][\w.-]*\s*(<=|>=|==|<|>)/i.test(text)) {
		throw bad(text, 'the value must be a number, with ms, s or % after it where the metric takes a unit');
	}

	throw bad(text, 'write it as METRIC OP VALUE');
}
