import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Sink} from './broadcaster.js';
import {atCapacity, type ServerContext} from './context.js';
import {sseRetryHint} from './frames.js';
import {corsHeaders, sendJson} from './http-util.js';

const sseHeaders: Readonly<Record<string, string>> = Object.freeze({
	...corsHeaders,
	'Content-Type': 'text/event-stream; charset=utf-8',
	'Cache-Control': 'no-cache',
	Connection: 'keep-alive',
	'X-Accel-Buffering': 'no', // nginx would otherwise buffer the stream.
});

/** The `Last-Event-ID` header, or `?lastEventId=` for EventSource polyfills that cannot set headers. */
function lastEventIdOf(req: IncomingMessage, url: URL): string | undefined {
	const header = req.headers['last-event-id'];
	if (typeof header === 'string' && header !== '') {
		return header;
	}

	return url.searchParams.get('lastEventId') ?? url.searchParams.get('last_event_id') ?? undefined;
}

/** GET /dashboard/stream */
export function handleSse(context: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
	const {broadcaster, logger, replay, counters} = context;
	if (context.closing || atCapacity(context)) {
		counters.rejectedCapacity++;
		logger.warn('sse rejected: at capacity', {max: context.options.maxConnections});
		sendJson(res, 503, {error: 'too many connections', max_connections: context.options.maxConnections}, {'Retry-After': '5'});
		return;
	}

	// No chunked framing: the body is the event stream itself, delimited by closing the
	// connection, so every write is plain SSE bytes (and one copy fewer per event).
	res.removeHeader('Transfer-Encoding');
	res.writeHead(200, sseHeaders);
	if (req.method === 'HEAD') {
		res.end();
		return;
	}

	res.flushHeaders(); // Headers go out now, not with the first event (the Go server's fault).

	const initial: Buffer[] = [sseRetryHint(context.options.retryMs)];
	const lastEventId = lastEventIdOf(req, url);
	let replayed = 0;
	if (lastEventId !== undefined) {
		counters.replayResumes++;
		const missed = replay.since(lastEventId);
		// An unknown or evicted id: the client missed more than we hold, so it gets all we hold.
		const entries = missed === 'gone' ? replay.entries() : missed;
		if (missed === 'gone') {
			counters.replayGaps++;
			initial.push(Buffer.from(`: replay gap: Last-Event-ID ${JSON.stringify(lastEventId)} is not in the buffer; sending all ${entries.length} held events\n\n`));
		}

		for (const entry of entries) {
			initial.push(entry.frame);
		}

		replayed = entries.length;
	}

	// Write to the socket directly when this response owns it (always, except for pipelined
	// requests still waiting their turn), skipping the HTTP layer's per-write bookkeeping.
	const socket = res.socket;
	const sink: Sink = socket ?? {
		write: chunk => res.write(chunk),
		get writableLength() {
			return res.writableLength;
		},
		destroy: () => res.destroy(),
	};
	sink.write(Buffer.concat(initial));

	const subscriber = broadcaster.add('sse', sink);
	context.sseStreams.add(res);
	logger.debug('sse connected', {client: subscriber.id, remote: req.socket.remoteAddress, last_event_id: lastEventId, replayed});
	res.on('close', () => {
		broadcaster.remove(subscriber);
		context.sseStreams.delete(res);
		logger.debug('sse closed', {client: subscriber.id});
	});
}
