import type {Percentiles} from '../metrics/histogram.js';
import type {Summary} from './summary.js';

/** The text summary's lines for request streams and the undici transport (none when the run had neither). */
export function streamLines(s: Summary, percentiles: (p: Percentiles | undefined) => string): string[] {
	const lines: string[] = [];
	const {streams, transport} = s;
	if (streams) {
		const {outcomes} = streams;
		const until = [streams.untilData === null ? '' : `data ${JSON.stringify(streams.untilData)}`, streams.untilEvent === null ? '' : `event ${streams.untilEvent}`].filter(Boolean).join(' or ');
		const number = (p: Percentiles | null, unit: string) => (p === null ? 'n/a' : `p50 ${p.p50}${unit} p99 ${p.p99}${unit}`);
		lines.push(
			`Streams:          ${streams.requests} requests (${streams.method}, then ${streams.then}${until ? `, until ${until}` : ''}): ${streams.completed} of ${streams.ended} ended completed (${streams.completedRatio === null ? 'n/a' : `${Math.floor(streams.completedRatio * 100_000) / 1000}%`}), ${streams.inFlight} in flight at the end`,
			`  ended by:       marker ${outcomes.marker}, clean close ${outcomes.clean}, cut ${outcomes.cut}, error ${outcomes.error}, timeout ${outcomes.timeout}`,
			`  headers:        ${percentiles(streams.headersMs ?? undefined)}`,
			`  first event:    ${percentiles(streams.ttfeMs ?? undefined)} (TTFE, from the request)`,
			`  between events: ${percentiles(streams.gapMs ?? undefined)}`,
			`  stream time:    ${percentiles(streams.streamMs ?? undefined)}`,
			`  per stream:     events ${number(streams.eventsPerStream, '')}; events/s ${number(streams.eventsPerSec, '')}; bytes/s ${number(streams.bytesPerSec, '')}`,
		);
	}

	if (transport) {
		lines.push(`Transport:        undici${transport.http2 ? `, HTTP/2 (${transport.streamsPerConnection} streams per connection)` : ''}${transport.proxy === null ? '' : `, proxy ${transport.proxy}`}${transport.compressed ? ', compressed' : ''}: ${transport.connections} connections, ${transport.streams} streams`);
	}

	return lines;
}
