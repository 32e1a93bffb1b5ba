import type {Percentiles} from '../../metrics/histogram.js';
import type {Summary} from '../summary.js';
import {escapeHtml, redactUrl} from './escape.js';
import {formatBytes, formatCount, formatMs, formatMsNumber, formatNumber, formatRate, formatRatio, none} from './format.js';
import type {ReportInput} from './input.js';
import {metric} from './mark.js';
import {formatDuration} from '../../units.js';

/** The report's text sections: header, verdict, headline numbers, settings, errors, delivery, thresholds. */

const count = (path: string, value: number) => metric(path, value, formatCount(value));
const ms = (path: string, value: number | null | undefined) => metric(path, value ?? null, formatMs(value));

export function protocolLabel(target: Summary['target']): string {
	if (target.protocol !== 'websocket') {
		return 'Server-Sent Events';
	}

	return target.mode === 'raw' ? 'WebSocket (raw)' : 'WebSocket (ActionCable)';
}

const stopReasons: Record<Summary['stoppedBy'], string> = {
	duration: 'the duration ran out',
	signal: 'Ctrl-C / SIGTERM',
	finished: 'every client finished',
	threshold: 'a threshold failed (--abort-on-fail)',
	error: 'the --events log failed',
};

function stopReason(summary: Summary): string {
	return summary.stoppedBy === 'finished' && summary.broadcast ? 'the broadcast was published and drained' : stopReasons[summary.stoppedBy] ?? summary.stoppedBy;
}

export function header({summary, version, generatedAt}: ReportInput): string {
	const started = summary.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
	return `<header class="top">
<p class="brand">sse-tui load test report</p>
<h1>${escapeHtml(protocolLabel(summary.target))} <span class="target">${escapeHtml(redactUrl(summary.target.url))}</span></h1>
<p class="meta">Started ${escapeHtml(started)} · ran ${escapeHtml(formatDuration(summary.durationMs))} · stopped: ${escapeHtml(stopReason(summary))} · written by sse-tui ${escapeHtml(version)} at ${escapeHtml(generatedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</p>
</header>`;
}

/** The one-line answer: thresholds passed or failed, or, without thresholds, whether the run looked clean. */
export function verdict(summary: Summary): string {
	const failed = summary.thresholds.filter(threshold => !threshold.passed);
	let tone: 'pass' | 'fail' | 'warn' | 'neutral';
	let title: string;
	let detail: string;
	if (summary.thresholds.length > 0) {
		tone = failed.length === 0 ? 'pass' : 'fail';
		title = failed.length === 0 ? 'Passed' : 'Failed';
		detail = failed.length === 0
			? `all ${summary.thresholds.length} threshold${summary.thresholds.length === 1 ? '' : 's'} met`
			: `${failed.length} of ${summary.thresholds.length} thresholds failed: ${failed.map(threshold => threshold.expr).join(', ')}`;
	} else {
		const troubled = summary.errors.total > 0 || summary.clients.connected < summary.clients.requested;
		tone = troubled ? 'warn' : 'neutral';
		title = troubled ? 'Completed with errors' : 'Completed';
		detail = 'no thresholds were set';
	}

	const facts = [
		`${formatCount(summary.clients.connected)} of ${formatCount(summary.clients.requested)} clients connected`,
		`${formatCount(summary.errors.total)} error${summary.errors.total === 1 ? '' : 's'}`,
		`${formatCount(summary.reconnects)} reconnect${summary.reconnects === 1 ? '' : 's'}`,
	];
	return `<section class="verdict verdict-${tone}" data-verdict="${tone}">
<p class="verdict-title">${escapeHtml(title)}</p>
<p class="verdict-detail">${escapeHtml(detail)}</p>
<p class="verdict-facts">${escapeHtml(facts.join(' · '))}</p>
</section>`;
}

function tile(label: string, value: string, sub = ''): string {
	return `<div class="tile"><p class="tile-label">${escapeHtml(label)}</p><p class="tile-value">${value}</p>${sub ? `<p class="tile-sub">${sub}</p>` : ''}</div>`;
}

export function tiles(summary: Summary): string {
	const {latencyMs} = summary;
	return `<section class="tiles">
${tile('Clients connected', `${count('clients.connected', summary.clients.connected)} <small>/ ${count('clients.requested', summary.clients.requested)}</small>`, `${count('connections.active', summary.connections.active)} open at the end · ${count('connections.failedAttempts', summary.connections.failedAttempts)} failed attempts`)}
${tile('Messages', count('messages.total', summary.messages.total), `${metric('messages.perSecond', summary.messages.perSecond, formatRate(summary.messages.perSecond))} /s · ${metric('messages.perClient', summary.messages.perClient, formatRate(summary.messages.perClient))} per client`)}
${tile('Errors', count('errors.total', summary.errors.total), `${count('reconnects', summary.reconnects)} reconnects`)}
${tile('Latency p50', ms('latencyMs.p50', latencyMs?.p50), latencyMs ? `p99 ${ms('latencyMs.p99', latencyMs.p99)} · max ${ms('latencyMs.max', latencyMs.max)}` : `no message carried ${escapeHtml(summary.latency.field)}`)}
${tile('Connect p50', ms('connectMs.p50', summary.connectMs?.p50), summary.connectMs ? `p99 ${ms('connectMs.p99', summary.connectMs.p99)}` : 'no connection opened')}
${tile('Heartbeats', count('heartbeats.total', summary.heartbeats.total), `${metric('heartbeats.perSecond', summary.heartbeats.perSecond, formatRate(summary.heartbeats.perSecond))} /s`)}
${tile('Received', metric('bytes', summary.bytes, formatBytes(summary.bytes)), `${count('bytes', summary.bytes)} bytes`)}
${tile('Delivery', metric('delivery.ratio', summary.delivery.ratio, formatRatio(summary.delivery.ratio)), summary.delivery.accountedClients === 0
	? 'not counted: no sequence numbers'
	: `${count('delivery.gaps', summary.delivery.gaps)} gaps · ${count('delivery.duplicates', summary.delivery.duplicates)} duplicates`)}
</section>`;
}

function row(label: string, value: string): string {
	return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

export function settings({summary, headers}: ReportInput): string {
	const headerList = Object.entries(headers);
	return `<section class="card"><h2>Run settings</h2><table class="kv">
${row('Target', `<code>${escapeHtml(redactUrl(summary.target.url))}</code>`)}
${row('Protocol', escapeHtml(protocolLabel(summary.target)))}
${row('Scenario', escapeHtml(summary.target.scenario ?? 'none'))}
${row('Clients', `${count('clients.requested', summary.clients.requested)} requested`)}
${row('Duration', `${metric('durationMs', summary.durationMs, formatDuration(summary.durationMs))} (stopped: ${escapeHtml(stopReason(summary))})`)}
${row('Started', escapeHtml(summary.startedAt))}
${row('Latency field', `<code>${escapeHtml(summary.latency.field)}</code>`)}
${row('Headers', headerList.length === 0 ? none : headerList.map(([name, value]) => `<code>${escapeHtml(name)}: ${escapeHtml(value)}</code>`).join('<br>'))}
</table></section>`;
}

export function errorsByKind(summary: Summary): string {
	const kinds = Object.entries(summary.errors.byKind).filter(([, value]) => (value ?? 0) > 0).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
	const body = kinds.length === 0
		? '<p class="empty">No errors.</p>'
		: `<table class="kv">${kinds.map(([kind, value]) => row(kind, count(`errors.byKind.${kind}`, value ?? 0))).join('')}</table>`;
	const states = Object.entries(summary.clients.final).filter(([, value]) => value > 0).map(([state, value]) => `<span class="state state-${escapeHtml(state)}">${escapeHtml(state)} ${count(`clients.final.${state}`, value)}</span>`).join(' ');
	return `<section class="card"><h2>Errors by kind</h2>${body}<h3>Clients at the end</h3><p class="states">${states}</p></section>`;
}

export function percentilesTable(summary: Summary): string {
	const lines: Array<[string, string, Percentiles | null]> = [
		['Latency', 'latencyMs', summary.latencyMs],
		['Connect', 'connectMs', summary.connectMs],
		['Reconnect', 'reconnectMs', summary.reconnectMs],
	];
	const keys = ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const;
	const head = `<tr><th>ms</th><th class="n">count</th>${keys.map(key => `<th class="n">${key === 'p999' ? 'p99.9' : key}</th>`).join('')}</tr>`;
	const body = lines.map(([label, path, values]) => `<tr><th scope="row">${label}</th><td class="n">${values ? count(`${path}.count`, values.count) : '0'}</td>${keys.map(key => `<td class="n">${values ? metric(`${path}.${key}`, values[key], formatMsNumber(values[key])) : none}</td>`).join('')}</tr>`).join('');
	return `<table class="grid-table"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

export function delivery(summary: Summary): string {
	const d = summary.delivery;
	const note = d.accountedClients === 0
		? '<p class="empty">No message carried a sequence number (a <code>seq</code> field or an integer event id), so gaps and duplicates could not be counted.</p>'
		: '';
	return `<section class="card"><h2>Delivery</h2>${note}<table class="kv">
${row('Clients accounted', `${count('delivery.accountedClients', d.accountedClients)} (${count('delivery.unaccountedClients', d.unaccountedClients)} without sequence numbers)`)}
${row('Expected / received', `${d.expected === null ? metric('delivery.expected', null, none) : count('delivery.expected', d.expected)} / ${count('delivery.received', d.received)}`)}
${row('Delivery ratio', metric('delivery.ratio', d.ratio, formatRatio(d.ratio)))}
${row('Gaps', count('delivery.gaps', d.gaps))}
${row('Duplicates', count('delivery.duplicates', d.duplicates))}
${row('Out of order', count('delivery.outOfOrder', d.outOfOrder))}
${row('Sequence resets', count('delivery.resets', d.resets))}
${row('Unsequenced messages', count('delivery.unsequenced', d.unsequenced))}
${row('Reconnects resumed', `${count('delivery.reconnects.resumed', d.reconnects.resumed)} resumed · ${count('delivery.reconnects.notResumed', d.reconnects.notResumed)} not`)}
${row('Foreign messages', count('delivery.foreign', d.foreign))}
</table></section>`;
}

export function thresholds(summary: Summary): string {
	if (summary.thresholds.length === 0) {
		return '<section class="card"><h2>Thresholds</h2><p class="empty">No thresholds were set for this run.</p></section>';
	}

	const body = summary.thresholds.map((threshold, index) => `<tr class="${threshold.passed ? 'pass' : 'fail'}">
<td><code>${escapeHtml(threshold.expr)}</code></td><td>${escapeHtml(threshold.metric)}</td>
<td class="n">${metric(`thresholds.${index}.value`, threshold.value, threshold.value === null ? none : formatNumber(threshold.value))}</td>
<td><span class="badge badge-${threshold.passed ? 'pass' : 'fail'}">${threshold.passed ? 'passed' : 'failed'}</span></td></tr>`).join('');
	return `<section class="card"><h2>Thresholds</h2><table class="grid-table"><thead><tr><th>Threshold</th><th>Metric</th><th class="n">Value</th><th>Result</th></tr></thead><tbody>${body}</tbody></table></section>`;
}
