import type {Percentiles} from '../../metrics/histogram.js';
import type {Summary} from '../summary.js';
import {escapeHtml} from './escape.js';
import {formatCount, formatMs, formatNumber, formatRatio} from './format.js';
import {metric} from './mark.js';

/** Request streams (--method, --body, --until-data …) and the undici transport: how streams ended, TTFE, stream time, per-stream rates. */
export function streamSection(summary: Summary): string {
	const {streams, transport} = summary;
	if (streams === null && transport === null) {
		return '';
	}

	const rows: string[] = [];
	if (streams !== null) {
		const until = [streams.untilData === null ? '' : `data ${JSON.stringify(streams.untilData)}`, streams.untilEvent === null ? '' : `event ${streams.untilEvent}`].filter(Boolean).join(' or ');
		rows.push(
			row('Requests', `${metric('streams.requests', streams.requests, formatCount(streams.requests))} ${escapeHtml(streams.method)}, then ${escapeHtml(streams.then)}${until ? `, until ${escapeHtml(until)}` : ''}; ${formatCount(streams.inFlight)} in flight at the end`),
			row('Completed', `${metric('streams.completedRatio', streams.completedRatio, formatRatio(streams.completedRatio))} (${formatCount(streams.completed)} of ${formatCount(streams.ended)} ended)`),
			row('Ended by', (['marker', 'clean', 'cut', 'error', 'timeout'] as const).map(name => `${name} ${metric(`streams.outcomes.${name}`, streams.outcomes[name], formatCount(streams.outcomes[name]))}`).join(' · ')),
			row('Time to headers', times('streams.headersMs', streams.headersMs)),
			row('Time to first event', times('streams.ttfeMs', streams.ttfeMs)),
			row('Between events', times('streams.gapMs', streams.gapMs)),
			row('Stream time', times('streams.streamMs', streams.streamMs)),
			row('Events per stream', numbers('streams.eventsPerStream', streams.eventsPerStream)),
			row('Events/s per stream', numbers('streams.eventsPerSec', streams.eventsPerSec)),
			row('Bytes/s per stream', numbers('streams.bytesPerSec', streams.bytesPerSec)),
		);
	}

	if (transport !== null) {
		rows.push(row('Transport', `undici${transport.http2 ? `, HTTP/2 (${formatCount(transport.streamsPerConnection ?? 0)} streams per connection)` : ''}${transport.proxy === null ? '' : `, proxy ${escapeHtml(transport.proxy)}`}${transport.compressed ? ', compressed' : ''}: ${metric('transport.connections', transport.connections, formatCount(transport.connections))} connections, ${metric('transport.streams', transport.streams, formatCount(transport.streams))} streams`));
	}

	return `<section><h2>Request streams</h2>
<div class="card"><table class="kv">${rows.join('')}</table></div>
</section>`;
}

function times(path: string, p: Percentiles | null): string {
	return p === null ? 'no data' : (['p50', 'p90', 'p99', 'max'] as const).map(name => `${name} ${metric(`${path}.${name}`, p[name], formatMs(p[name]))}`).join(' · ');
}

function numbers(path: string, p: Percentiles | null): string {
	return p === null ? 'no data' : (['p50', 'p99', 'max'] as const).map(name => `${name} ${metric(`${path}.${name}`, p[name], formatNumber(p[name]))}`).join(' · ');
}

function row(label: string, value: string): string {
	return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}
