import type {Summary} from '../summary.js';
import {emptyChart, legend, lineChart, type LineSeries} from './charts.js';
import {escapeHtml} from './escape.js';
import {formatBytes, formatCount, formatSeconds} from './format.js';
import {metric} from './mark.js';

const colors = {clients: '#2563eb', server: '#dc2626', redis: '#0d9488'} as const;

/**
 * The server's side (--watch-redis, --watch-stats): its counts drawn next to the clients' open
 * count over time, its last values, and where the two disagreed. Nothing when not watched.
 */
export function serverSide(summary: Summary): string {
	const {server} = summary;
	if (server === null) {
		return '';
	}

	const charts: string[] = [];
	const clientsAt = (t: number) => summary.timeline.find(point => Math.abs((point.t * 1000) - t) < 600)?.open ?? null;
	const statsSamples = server.stats?.samples ?? [];
	if (statsSamples.some(sample => sample.reachable && typeof sample.values['connections'] === 'number')) {
		const series: LineSeries[] = [
			{name: 'server counts', color: colors.server, values: statsSamples.map(sample => sample.reachable ? sample.values['connections'] ?? null : null)},
			{name: 'clients open', color: colors.clients, values: statsSamples.map(sample => clientsAt(sample.t))},
		];
		charts.push(figure('Connections: the server\'s count and the clients\'', lineChart({id: 'server-connections', label: 'server connections', x: statsSamples.map(sample => sample.t / 1000), series, formatY: formatCount, formatX: formatSeconds, integerY: true}), series));
	}

	const redisSamples = server.redis?.samples ?? [];
	const channel = server.redis?.channels[0];
	if (channel !== undefined && redisSamples.some(sample => sample.reachable)) {
		const series: LineSeries[] = [
			{name: `Redis subscribers of ${channel}`, color: colors.redis, values: redisSamples.map(sample => sample.reachable ? sample.subscribers[channel] ?? 0 : null)},
			{name: 'clients open', color: colors.clients, values: redisSamples.map(sample => clientsAt(sample.t))},
		];
		charts.push(figure('Redis subscribers and the clients', lineChart({id: 'server-redis', label: 'redis subscribers', x: redisSamples.map(sample => sample.t / 1000), series, formatY: formatCount, formatX: formatSeconds, integerY: true}), series));
	}

	const rows: string[] = [];
	if (server.redis) {
		const last = server.redis.last;
		rows.push(row(`Redis ${escapeHtml(server.redis.url)}`, last === null ? 'no sample' : (last.reachable
			? `${server.redis.channels.map(name => `${escapeHtml(name)} ${metric(`server.redis.last.subscribers.${name}`, last.subscribers[name] ?? 0, formatCount(last.subscribers[name] ?? 0))}`).join(', ')} subscribers · ${formatCount(last.connectedClients)} clients · ${formatCount(last.opsPerSec)} ops/s · ${formatBytes(last.usedMemoryBytes)}`
			: `unreachable at the end (${escapeHtml(last.error ?? 'no answer')})`)));
	}

	if (server.stats) {
		const last = server.stats.last;
		rows.push(row(`Stats ${escapeHtml(server.stats.url)}`, last === null ? 'no sample' : (last.reachable
			? server.stats.fields.map(field => `${escapeHtml(field)} ${metric(`server.stats.last.values.${field}`, last.values[field] ?? null, last.values[field] === null || last.values[field] === undefined ? 'n/a' : formatCount(last.values[field]!))}`).join(' · ')
			: `unreachable at the end (${escapeHtml(last.error ?? 'no answer')})`)));
	}

	const disagreements = server.disagreements.length === 0
		? '<p class="empty">The server side agreed with the clients.</p>'
		: `<ul class="disagreements">${server.disagreements.map(item => `<li><strong>${escapeHtml(item.what)}</strong>: server ${formatCount(item.server)}, clients ${formatCount(item.clients)} (worst difference ${formatCount(item.worst)}, ${formatCount(item.samples)} samples, from ${(item.firstAt / 1000).toFixed(1)} s to ${(item.lastAt / 1000).toFixed(1)} s)</li>`).join('')}</ul>`;
	return `<section><h2>The server's side</h2>
${charts.length > 0 ? `<div class="chart-grid">${charts.join('\n')}</div>` : emptyChart('server', 'No sample of the server side was reachable.')}
<div class="card"><table class="kv">${rows.join('')}</table>${disagreements}</div>
</section>`;
}

function figure(title: string, chart: string, series: ReadonlyArray<{name: string; color: string}>): string {
	return `<figure class="chart-card"><figcaption><span>${escapeHtml(title)}</span>${legend(series)}</figcaption>${chart}</figure>`;
}

function row(label: string, value: string): string {
	return `<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}
