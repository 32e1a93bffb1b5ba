import type {Config} from '../config.js';
import {redactUrl} from '../redact.js';
import type {Summary} from '../reporters/summary.js';
import {metricNames, metricSpecs, type ComparedMetric, type Comparison, type MetricName} from './comparison.js';

/** One value with its unit, short: `12.3ms`, `99.9%`, `144/s`, `3`, or `n/a`. */
export function formatValue(unit: ComparedMetric['unit'], value: number | null): string {
	if (value === null) {
		return 'n/a';
	}

	switch (unit) {
		case 'ms': {
			return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}ms`;
		}

		case '%': {
			// Cut, not rounded: 99.99% must not read as 100%.
			return `${Math.floor(value * 10) / 10}%`;
		}

		case '/s': {
			return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
		}

		default: {
			return value >= 100_000 ? `${(value / 1000).toFixed(0)}k` : String(Math.round(value));
		}
	}
}

/** `12.3ms*` for the better value; the ratio to the baseline after the others. */
export function cell(metric: ComparedMetric, name: string, baseline: string, {ratio = true} = {}): string {
	const text = formatValue(metric.unit, metric.values[name] ?? null);
	const mark = metric.best === name ? '*' : '';
	const factor = metric.ratios[name];
	const shown = ratio && name !== baseline && factor !== null && factor !== undefined && factor !== 1 && metric.values[name] !== 0 ? ` (${factor >= 10 ? factor.toFixed(0) : factor.toFixed(2)}x)` : '';
	return `${text}${mark}${shown}`;
}

/** The banner's target line with --target: every target, credentials hidden. */
export function targetsLine(config: Config): string {
	return config.compare!.targets.map(target => `${target.name}=${redactUrl(target.config.url)}${target.config.ws ? ` (${target.config.ws.mode === 'cable' ? 'ActionCable' : 'raw WebSocket'})` : ''}`).join('  ');
}

/** The metrics shown at the end: `open` is live only (every client is closed by then). */
export const finalMetrics: readonly MetricName[] = metricNames.filter(name => name !== 'open');

/** The comparison table of the text summary, and a line naming the faster target. */
export function comparisonLines(summary: Summary): string[] {
	const comparison = summary.comparison;
	if (!comparison) {
		return [];
	}

	const names = comparison.targets;
	const rows = finalMetrics.map(name => [metricSpecs[name].label, ...names.map(target => cell(comparison.metrics[name], target, comparison.baseline))]);
	const header = ['', ...names];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column]!.length)));
	const line = (cells: readonly string[]) => `  ${cells.map((text, column) => text.padEnd(widths[column]!)).join('  ')}`.trimEnd();
	return [
		`Comparison:       ${names.length} targets, each with ${summary.targets?.[names[0]!]?.clients.requested ?? 0} clients (* better; (Nx) = times ${comparison.baseline}'s value)`,
		line(header),
		...rows.map(row => line(row)),
		...verdict(comparison),
		...perTargetLines(summary),
	];
}

function verdict(comparison: Comparison): string[] {
	const p99 = comparison.metrics.latencyP99;
	if (p99.best === null) {
		return [];
	}

	const others = comparison.targets.filter(name => name !== p99.best && p99.values[name] !== null);
	return [`  faster: ${p99.best} (latency p99 ${formatValue('ms', p99.values[p99.best] ?? null)}; ${others.map(name => `${name} ${formatValue('ms', p99.values[name] ?? null)}`).join(', ')})`];
}

/** Each target's delivery and errors in a line, as its own summary has them (--json: targets.NAME). */
function perTargetLines(summary: Summary): string[] {
	return Object.entries(summary.targets ?? {}).map(([name, own]) => {
		const delivery = own.broadcast ?? own.delivery;
		const expected = 'requested' in delivery ? delivery.expected : delivery.expected ?? 0;
		return `  ${name}: ${own.target.url}: ${own.clients.connected}/${own.clients.requested} connected, ${own.messages.total} messages, delivery ${delivery.received} of ${expected}${own.broadcast ? ` (broadcast, missing ${own.broadcast.missing.total}, duplicates ${own.broadcast.duplicates.total})` : ''}, errors ${own.errors.total}, reconnects ${own.reconnects}`;
	});
}
