import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Sink, Subscriber} from './broadcaster.js';
import {atCapacity, type ServerContext} from './context.js';
import {sseRetryHint} from './frames.js';
import {corsHeaders, sendJson} from './http-util.js';
import {compareEventIds, parseEventId, type Missed, type ReplayEntry} from './replay.js';

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
	const {logger, replay, counters} = context;
	if (context.closing || atCapacity(context)) {
		counters.rejectedCapacity++;
		logger.warn('sse rejected: at capacity', {max: context.options.maxConnections});
		sendJson(res, 503, {error: 'too many connections', max_connections: context.options.maxConnections}, {'Retry-After': '5'});
		return;
	}

	// No chunked framing: the body is the event stream itself, delimited by closing the
	// connection, so every write is plain SSE bytes (and one copy fewer per event).
	res.removeHeader('Transfer-Encoding');
	// Which worker of `serve --workers N` holds the stream: for operators and the cluster tests.
	res.writeHead(200, context.cluster ? {...sseHeaders, 'X-Sse-Tui-Worker': String(context.cluster.worker)} : sseHeaders);
	if (req.method === 'HEAD') {
		res.end();
		return;
	}

	res.flushHeaders(); // Headers go out now, not with the first event (the Go server's fault).

	const initial: Buffer[] = [sseRetryHint(context.options.retryMs)];
	const lastEventId = lastEventIdOf(req, url);
	// Write to the socket directly when this response owns it (always, except for pipelined
	// requests still waiting their turn), skipping the HTTP layer's per-write bookkeeping.
	const socket = res.socket;
	const direct: Sink = socket ?? {
		write: chunk => res.write(chunk),
		get writableLength() {
			return res.writableLength;
		},
		destroy: () => res.destroy(),
	};
	const missed = lastEventId === undefined ? undefined : replay.since(lastEventId);
	if (lastEventId !== undefined) {
		counters.replayResumes++;
	}

	if (!(missed instanceof Promise)) {
		const entries = missed === undefined ? [] : missedEntries(context, lastEventId!, missed, initial);
		direct.write(Buffer.concat([...initial, ...entries.map(entry => entry.frame)]));
		attach(context, req, res, direct, lastEventId, entries.length);
		return;
	}

	// A store that answers from Redis: subscribe now and hold live frames until the replay is
	// written, so nothing falls between the two. The replay runs up to the newest entry Redis
	// had; a live frame up to that id (held, or still on its way through this instance) is
	// one the client already has and is dropped, until the first newer one passes.
	let held: Buffer[] | undefined = [];
	let heldBytes = 0;
	let upTo: readonly [number, number] | undefined;
	const pass = (chunk: Buffer): Buffer | undefined => {
		if (!upTo) {
			return chunk;
		}

		const kept: string[] = [];
		for (const frame of chunk.toString().split('\n\n').slice(0, -1)) {
			const key = frame.startsWith('id: ') ? parseEventId(frame.slice(4, frame.indexOf('\n'))) : undefined;
			if (key && upTo && compareEventIds(key, upTo) <= 0) {
				continue;
			}

			if (key) {
				upTo = undefined; // Newer than the replay: everything after it is too.
			}

			kept.push(frame + '\n\n');
		}

		return kept.length === 0 ? undefined : Buffer.from(kept.join(''));
	};

	const sink: Sink = {
		write(chunk) {
			if (held) {
				held.push(chunk);
				heldBytes += chunk.length;
				return true;
			}

			const kept = pass(chunk);
			return kept ? direct.write(kept) : true;
		},
		get writableLength() {
			return direct.writableLength + heldBytes;
		},
		destroy: () => direct.destroy(),
	};
	const subscriber = attach(context, req, res, sink, lastEventId, 0);
	const release = (entries: readonly ReplayEntry[], newest: string | undefined): void => {
		upTo = newest === undefined ? undefined : parseEventId(newest);
		const live = (held ?? []).map(pass).filter(chunk => chunk !== undefined);
		held = undefined;
		heldBytes = 0;
		if (subscriber.open && !res.destroyed) {
			direct.write(Buffer.concat([...initial, ...entries.map(entry => entry.frame), ...live]));
			logger.debug('sse replayed', {client: subscriber.id, last_event_id: lastEventId, replayed: entries.length});
		}
	};

	(async () => {
		const result = await missed;
		const entries = result === 'gone' ? missedEntries(context, lastEventId!, 'gone', initial, await replay.entries()) : result;
		release(entries, entries.at(-1)?.id ?? lastEventId);
	})().catch((error: unknown) => {
		logger.warn('sse replay failed; streaming live only', {client: subscriber.id, error: String(error)});
		release([], undefined);
	});
}

/** The entries to resend for a resume; on a gap, all held ones, announced in a comment. */
function missedEntries(context: ServerContext, lastEventId: string, missed: Missed, initial: Buffer[], held?: readonly ReplayEntry[]): readonly ReplayEntry[] {
	if (missed !== 'gone') {
		return missed;
	}

	// An unknown or evicted id: the client missed more than we hold, so it gets all we hold.
	const entries = held ?? (context.replay.entries() as readonly ReplayEntry[]);
	context.counters.replayGaps++;
	initial.push(Buffer.from(`: replay gap: Last-Event-ID ${JSON.stringify(lastEventId)} is not in the buffer; sending all ${entries.length} held events\n\n`));
	return entries;
}

function attach(context: ServerContext, req: IncomingMessage, res: ServerResponse, sink: Sink, lastEventId: string | undefined, replayed: number): Subscriber {
	const {broadcaster, logger} = context;
	const subscriber = broadcaster.add('sse', sink);
	context.sseStreams.add(res);
	logger.debug('sse connected', {client: subscriber.id, remote: req.socket.remoteAddress, last_event_id: lastEventId, replayed});
	res.on('close', () => {
		broadcaster.remove(subscriber);
		context.sseStreams.delete(res);
		logger.debug('sse closed', {client: subscriber.id});
	});
	return subscriber;
}
