import type {IncomingMessage, ServerResponse} from 'node:http';
import {atCapacity, type ServerContext} from './context.js';
import {corsHeaders, sendJson} from './http-util.js';

/**
 * `POST /stream/echo` (and `GET /stream/echo?events=…`): a request stream, as a chat-completion
 * or job-progress endpoint answers one. N events at a pace, then `data: [DONE]`, then the
 * response ends (chunked, so a cut is told from a clean end). The parameters come from a JSON
 * body, or the query string; the body's whole JSON comes back in the first event's `request`,
 * so a load test can check what it sent.
 */

export const echoLimits = Object.freeze({events: 100_000, intervalMs: 10_000, delayMs: 60_000, size: 65_536, body: 65_536});

export type EchoParams = {
	events: number;
	intervalMs: number;
	delayMs: number;
	/** padding characters in each event's data */
	size: number;
	/** SSE event type of each event (`message` when absent) */
	event: string | undefined;
	/** end the connection abruptly after this many events (tests of a stream cut in the middle) */
	cutAfter: number | undefined;
	/** send `data: [DONE]` at the end */
	done: boolean;
};

const defaults: EchoParams = {events: 10, intervalMs: 10, delayMs: 0, size: 0, event: undefined, cutAfter: undefined, done: true};

const eventName = /^[\w.:-]{1,64}$/;

/** `50`, `50ms`, `1.5s` as ms; NaN when neither. */
function millis(value: unknown): number {
	if (typeof value === 'number') {
		return value;
	}

	const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(value) : null;
	return match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : Number.NaN;
}


class Bad {
	constructor(readonly message: string) {}
}

function whole(name: string, value: unknown, max: number, fallback: number | undefined): number | undefined | Bad {
	if (value === undefined) {
		return fallback;
	}

	const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
	return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 && number <= max ? number : new Bad(`${name} must be a whole number from 0 to ${max}`);
}

function duration(name: string, value: unknown, max: number, fallback: number): number | Bad {
	const ms = value === undefined ? fallback : millis(value);
	return ms >= 0 && ms <= max ? ms : new Bad(`${name} must be 0 to ${max}ms, like 50 or "50ms"`);
}

/** The parameters out of a JSON object (or the query as one); a string says what is wrong. */
export function echoParams(source: Record<string, unknown>): EchoParams | string {
	const event = source['event'];
	const values = {
		events: whole('events', source['events'], echoLimits.events, defaults.events),
		intervalMs: duration('interval', source['interval'], echoLimits.intervalMs, defaults.intervalMs),
		delayMs: duration('delay', source['delay'], echoLimits.delayMs, defaults.delayMs),
		size: whole('size', source['size'], echoLimits.size, 0),
		event: event === undefined || (typeof event === 'string' && eventName.test(event)) ? event : new Bad('event must be 1-64 of A-Z a-z 0-9 _ . : -'),
		cutAfter: whole('cut_after', source['cut_after'], echoLimits.events, undefined),
		done: source['done'] === undefined || (source['done'] !== false && source['done'] !== 'false' && source['done'] !== '0'),
	};
	for (const value of Object.values(values)) {
		if (value instanceof Bad) {
			return value.message;
		}
	}

	return values as EchoParams;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
	return new Promise(resolve => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				resolve(undefined);
				req.removeAllListeners('data');
				req.resume();
				return;
			}

			chunks.push(chunk);
		});
		req.on('end', () => {
			resolve(Buffer.concat(chunks).toString('utf8'));
		});
		req.on('error', () => {
			resolve(undefined);
		});
	});
}

/** /stream/echo: never throws; a bad body is a 400 with a JSON `error`. */
export async function handleEcho(context: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	let source: Record<string, unknown> = Object.fromEntries(url.searchParams);
	let request: unknown;
	if (req.method === 'POST') {
		const text = await readBody(req, echoLimits.body);
		if (text === undefined) {
			sendJson(res, 413, {error: `the body must be at most ${echoLimits.body} bytes`}, {Connection: 'close'});
			return;
		}

		if (text.trim() !== '') {
			try {
				request = JSON.parse(text);
			} catch {
				sendJson(res, 400, {error: 'the body must be JSON, like {"events": 200, "interval": "10ms"}'});
				return;
			}

			if (request !== null && typeof request === 'object' && !Array.isArray(request)) {
				source = {...source, ...(request as Record<string, unknown>)};
			}
		}
	}

	const params = echoParams(source);
	if (typeof params === 'string') {
		sendJson(res, 400, {error: params});
		return;
	}

	if (context.closing || atCapacity(context)) {
		sendJson(res, 503, {error: 'too many connections', max_connections: context.options.maxConnections}, {'Retry-After': '5'});
		return;
	}

	stream(context, res, params, request);
}

function stream(context: ServerContext, res: ServerResponse, params: EchoParams, request: unknown): void {
	res.writeHead(200, {...corsHeaders, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no'});
	res.flushHeaders();
	context.sseStreams.add(res);
	const pad = params.size > 0 ? 'x'.repeat(params.size) : undefined;
	const type = params.event === undefined ? '' : `event: ${params.event}\n`;
	let sent = 0;
	let timer: NodeJS.Timeout | undefined;
	const finish = () => {
		clearTimeout(timer);
		context.sseStreams.delete(res);
	};

	res.on('close', finish);
	const next = () => {
		if (res.destroyed || res.writableEnded) {
			finish();
			return;
		}

		if (params.cutAfter !== undefined && sent >= params.cutAfter) {
			res.destroy(); // no final chunk: the client sees the stream cut in the middle
			return;
		}

		if (sent >= params.events) {
			res.end(params.done ? 'data: [DONE]\n\n' : undefined);
			return;
		}

		sent++;
		const data: Record<string, unknown> = {i: sent, n: params.events};
		if (sent === 1 && request !== undefined) {
			data['request'] = request;
		}

		if (pad !== undefined) {
			data['pad'] = pad;
		}

		data['sent_at'] = Date.now();
		res.write(`id: ${sent}\n${type}data: ${JSON.stringify(data)}\n\n`);
		timer = setTimeout(next, params.intervalMs);
	};

	timer = setTimeout(next, params.delayMs);
}
