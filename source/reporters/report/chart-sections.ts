import type {BroadcastSummary, Summary} from '../summary.js';
import {latencyBins} from './bins.js';
import {barChart, emptyChart, legend, lineChart, type Bar, type LineSeries} from './charts.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatMs, formatRate, formatRatio, formatSeconds} from './format.js';
import type {ReportInput} from './input.js';
import {metric} from './mark.js';
import {percentilesTable} from './sections.js';
import {chartTimeline} from './timeline.js';

/** The report's chart sections: the run over time, latency, and broadcast fan-out. */

export const colors = {
	blue: '#2563eb',
	red: '#dc2626',
	purple: '#7c3aed',
	green: '#16a34a',
	teal: '#0d9488',
	grey: '#94a3b8',
	paleRed: '#fca5a5',
} as const;

/** More broadcasts than this are drawn in groups (the worst of each), so the chart stays a chart. */
const maxFanoutBars = 300;

/** Axis labels need no fixed decimals: 0, 2.5 ms, 20 ms, 1.5 s. */
const axisMs = (value: number) => value >= 1000 ? `${Number((value / 1000).toPrecision(3))} s` : `${Number(value.toPrecision(3))} ms`;

function figure(title: string, chart: string, series?: ReadonlyArray<{name: string; color: string}>, note = ''): string {
	return `<figure class="chart-card"><figcaption><span>${escapeHtml(title)}</span>${series ? legend(series) : ''}</figcaption>${chart}${note ? `<p class="chart-note">${note}</p>` : ''}</figure>`;
}

export function overTime(summary: Summary): string {
	const {timeline} = summary;
	if (timeline.length === 0) {
		return `<section><h2>Over time</h2>${emptyChart('timeline', 'No per-second timeline was recorded for this run.')}</section>`;
	}

	const {points, secondsPerPoint} = chartTimeline(timeline);
	const x = points.map(point => point.t);
	const note = secondsPerPoint > 1 ? escapeHtml(`One point per ${secondsPerPoint} s: the lowest open count, the mean rate, the mean p50 and the highest p99 of those seconds.`) : '';
	const chart = (id: string, title: string, series: LineSeries[], formatY: (value: number) => string, integerY: boolean) =>
		figure(title, lineChart({id, label: title, x, series, formatY, formatX: formatSeconds, integerY}), series.length > 1 ? series : undefined, note);

	const open: LineSeries = {name: 'open', color: colors.blue, values: points.map(point => point.open), area: true};
	const rate: LineSeries = {name: 'messages/s', color: colors.teal, values: points.map(point => point.messagesPerSec), area: true};
	const errors: LineSeries = {name: 'errors', color: colors.red, values: points.map(point => point.errors)};
	const reconnects: LineSeries = {name: 'reconnects', color: colors.purple, values: points.map(point => point.reconnects)};
	const p50: LineSeries = {name: 'p50', color: colors.blue, values: points.map(point => point.latencyP50)};
	const p99: LineSeries = {name: 'p99', color: colors.purple, values: points.map(point => point.latencyP99)};
	const hasLatency = points.some(point => point.latencyP50 !== null || point.latencyP99 !== null);
	return `<section><h2>Over time</h2><div class="chart-grid">
${chart('open', 'Connected clients', [open], formatCount, true)}
${chart('messages', 'Messages per second', [rate], formatRate, false)}
${chart('errors', 'Errors and reconnects (cumulative)', [errors, reconnects], formatCount, true)}
${hasLatency
	? chart('latency', 'Latency p50 / p99 per second', [p50, p99], axisMs, false)
	: figure('Latency p50 / p99 per second', emptyChart('latency', `No message carried the latency field ${summary.latency.field}.`))}
</div></section>`;
}

export function latency({summary, latencyBuckets}: ReportInput): string {
	const bins = latencyBins(latencyBuckets);
	const label = (value: number) => value >= 1000 ? `${Number((value / 1000).toPrecision(3))}s` : `${Number(value.toPrecision(3))}`;
	const bars: Bar[] = bins.map(bin => ({
		value: bin.count,
		label: label(bin.from),
		title: `${formatMs(bin.from)} to ${formatMs(bin.to)}: ${formatCount(bin.count)} messages`,
		data: {from: bin.from, to: bin.to, count: bin.count},
	}));
	const chart = bars.length === 0
		? emptyChart('latency-histogram', `No message carried the latency field ${summary.latency.field}, so there is no latency histogram.`)
		: barChart({id: 'latency-histogram', label: 'Latency histogram', bars, color: colors.blue, formatY: formatCount, integerY: true});
	const measured = `${metric('latency.measured', summary.latency.measured, formatCount(summary.latency.measured))} messages measured from <code>${escapeHtml(summary.latency.field)}</code>, ${metric('latency.missing', summary.latency.missing, formatCount(summary.latency.missing))} without it. Bars: ms, lower edge.`;
	return `<section><h2>Latency</h2><div class="chart-grid">
${figure('Latency histogram (messages per bin)', chart, undefined, measured)}
<div class="chart-card"><p class="figcaption-like">Percentiles</p>${percentilesTable(summary)}</div>
</div></section>`;
}

type FanoutBar = {from: number; to: number; expected: number; received: number; fanoutMs: number | null};

/** Consecutive broadcasts in groups of `size`: the slowest fan-out and the worst completion of each group. */
function groupBroadcasts(broadcasts: BroadcastSummary['broadcasts'], size: number): FanoutBar[] {
	const groups: FanoutBar[] = [];
	for (let start = 0; start < broadcasts.length; start += size) {
		const part = broadcasts.slice(start, start + size);
		const worst = part.reduce((a, b) => (b.expected > 0 ? b.received / b.expected : 1) < (a.expected > 0 ? a.received / a.expected : 1) ? b : a);
		const fanouts = part.map(item => item.fanoutMs).filter((value): value is number => value !== null);
		groups.push({from: part[0]!.seq, to: part.at(-1)!.seq, expected: worst.expected, received: worst.received, fanoutMs: fanouts.length > 0 ? Math.max(...fanouts) : null});
	}

	return groups;
}

export function broadcast(summary: Summary): string {
	const b = summary.broadcast;
	if (b === null) {
		return '<section><h2>Broadcast fan-out</h2><p class="empty" data-chart="fanout" data-empty="true">This run published no broadcasts (the broadcast scenario publishes and times how long each takes to reach every client).</p></section>';
	}

	const size = Math.ceil(b.broadcasts.length / maxFanoutBars);
	const groups = size <= 1
		? b.broadcasts.map(item => ({from: item.seq, to: item.seq, expected: item.expected, received: item.received, fanoutMs: item.fanoutMs}))
		: groupBroadcasts(b.broadcasts, size);
	// A broadcast that never reached every client has no fan-out time: a full-height pale red bar marks it.
	const slowest = Math.max(0, ...groups.map(group => group.fanoutMs ?? 0));
	const bars: Bar[] = groups.map(group => {
		const complete = group.received >= group.expected;
		const seqs = group.from === group.to ? `#${group.from}` : `#${group.from}-${group.to}`;
		return {
			value: group.fanoutMs ?? slowest,
			label: String(group.from),
			title: `broadcast ${seqs}: ${formatCount(group.received)} of ${formatCount(group.expected)} clients${group.fanoutMs === null ? ', never all' : `, all within ${formatMs(group.fanoutMs)}`}`,
			color: complete ? colors.teal : group.fanoutMs === null ? colors.paleRed : colors.red,
			data: {seq: group.from, expected: group.expected, received: group.received, complete: String(complete)},
		};
	});
	const chart = bars.length === 0
		? emptyChart('fanout', 'No broadcast was published.')
		: barChart({id: 'fanout', label: 'Fan-out time per broadcast', bars, color: colors.teal, formatY: axisMs});
	const grouped = size > 1 ? ` Each bar is ${size} consecutive broadcasts: the slowest fan-out, the worst completion.` : '';
	const note = `Bar height: publish until the last client had it. Red: not every client got it (pale, full height: it never reached them all).${grouped}`;
	const numbers = `<table class="kv">
<tr><th scope="row">Published</th><td>${metric('broadcast.published', b.published, formatCount(b.published))} of ${metric('broadcast.requested', b.requested, formatCount(b.requested))} via ${escapeHtml(b.via)}</td></tr>
<tr><th scope="row">Deliveries</th><td>${metric('broadcast.received', b.received, formatCount(b.received))} of ${metric('broadcast.expected', b.expected, formatCount(b.expected))} (${metric('broadcast.ratio', b.ratio, formatRatio(b.ratio))})</td></tr>
<tr><th scope="row">Clients complete</th><td>${metric('broadcast.clientsComplete', b.clientsComplete, formatCount(b.clientsComplete))} · incomplete ${metric('broadcast.clientsIncomplete', b.clientsIncomplete, formatCount(b.clientsIncomplete))}</td></tr>
<tr><th scope="row">Missing / duplicates</th><td>${metric('broadcast.missing.total', b.missing.total, formatCount(b.missing.total))} / ${metric('broadcast.duplicates.total', b.duplicates.total, formatCount(b.duplicates.total))}</td></tr>
<tr><th scope="row">Latency p50 / p99</th><td>${metric('broadcast.latencyMs.p50', b.latencyMs?.p50 ?? null, formatMs(b.latencyMs?.p50))} / ${metric('broadcast.latencyMs.p99', b.latencyMs?.p99 ?? null, formatMs(b.latencyMs?.p99))}</td></tr>
<tr><th scope="row">Fan-out p50 / p99</th><td>${metric('broadcast.fanoutMs.p50', b.fanoutMs?.p50 ?? null, formatMs(b.fanoutMs?.p50))} / ${metric('broadcast.fanoutMs.p99', b.fanoutMs?.p99 ?? null, formatMs(b.fanoutMs?.p99))}</td></tr>
<tr><th scope="row">Open at start</th><td>${metric('broadcast.openAtStart', b.openAtStart, formatCount(b.openAtStart))} clients, after ${metric('broadcast.settledMs', b.settledMs, formatMs(b.settledMs))}</td></tr>
</table>`;
	return `<section><h2>Broadcast fan-out</h2><div class="chart-grid">
${figure('Fan-out time per broadcast', chart, [{name: 'every client', color: colors.teal}, {name: 'some missed it', color: colors.red}], note)}
<div class="chart-card"><p class="figcaption-like">Broadcast</p>${numbers}</div>
</div></section>`;
}
