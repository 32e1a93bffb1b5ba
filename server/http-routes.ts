import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerContext} from './context.js';
import {corsHeaders, sendJson, sendText} from './http-util.js';
import {testUpdate} from './payloads.js';
import {handleSse} from './sse-endpoint.js';
import {statsDocument} from './stats.js';

export const maxTriggerCount = 100_000;
export const maxTriggerPad = 65_536;
/** Test updates broadcast per event-loop turn, so queues flush between batches. */
const triggerBatch = 500;

const endpoints = ['/dashboard/stream', '/cable', '/ws', '/health', '/dashboard/debug', '/dashboard/stats', '/dashboard/trigger-test'];

function methodNotAllowed(res: ServerResponse, allow: string): void {
	sendJson(res, 405, {error: `method not allowed; use ${allow}`}, {Allow: allow});
}

function wholeParam(url: URL, name: string, fallback: number, max: number): number | string {
	const raw = url.searchParams.get(name);
	if (raw === null || raw === '') {
		return fallback;
	}

	const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
	if (!Number.isSafeInteger(value) || value > max) {
		return `${name} must be a whole number from 0 to ${max} (got "${raw}")`;
	}

	return value;
}

/** Broadcasts `count` test updates, a batch per event-loop turn; resolves with the deliveries queued. */
async function trigger(context: ServerContext, count: number, pad: number): Promise<{deliveries: number; firstId: string; lastId: string}> {
	let deliveries = 0;
	let firstId = '';
	for (let sent = 0; sent < count && !context.closing; ) {
		const end = Math.min(count, sent + triggerBatch);
		for (; sent < end; sent++) {
			context.counters.triggered++;
			deliveries += context.broadcaster.broadcast(testUpdate(context.counters.triggered, pad));
			firstId ||= context.replay.lastId;
		}

		if (sent < count) {
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	}

	return {deliveries, firstId, lastId: context.replay.lastId};
}

async function handleTrigger(context: ServerContext, res: ServerResponse, url: URL): Promise<void> {
	const count = wholeParam(url, 'count', 1, maxTriggerCount);
	const pad = wholeParam(url, 'pad', 0, maxTriggerPad);
	for (const value of [count, pad]) {
		if (typeof value === 'string') {
			sendJson(res, 400, {error: value});
			return;
		}
	}

	const started = performance.now();
	const result = await trigger(context, count as number, pad as number);
	const {sse, cable, ws} = context.broadcaster.counts;
	context.logger.info('test updates broadcast', {count: count as number, pad: pad as number, deliveries: result.deliveries});
	sendJson(res, 200, {
		status: 'ok',
		count,
		pad,
		deliveries: result.deliveries,
		first_id: result.firstId,
		last_id: result.lastId,
		subscribers: {sse: sse.current, cable: cable.current, ws: ws.current},
		duration_ms: Math.round((performance.now() - started) * 10) / 10,
	});
}

/** Every plain HTTP request; upgrades go to the cable and ws modules instead. */
export function handleRequest(context: ServerContext, req: IncomingMessage, res: ServerResponse): void {
	let url: URL;
	try {
		url = new URL(req.url ?? '/', 'http://localhost');
	} catch {
		sendJson(res, 400, {error: 'malformed request target'});
		return;
	}

	const method = req.method ?? 'GET';
	context.logger.debug('request', {method, path: url.pathname});
	if (method === 'OPTIONS') {
		res.writeHead(204, {...corsHeaders, 'Access-Control-Max-Age': '86400'});
		res.end();
		return;
	}

	const readOnly = method === 'GET' || method === 'HEAD';
	switch (url.pathname) {
		case '/dashboard/stream': {
			if (!readOnly) {
				methodNotAllowed(res, 'GET');
				return;
			}

			handleSse(context, req, res, url);
			return;
		}

		case '/health': {
			if (readOnly) {
				sendText(res, 200, 'OK');
			} else {
				methodNotAllowed(res, 'GET');
			}

			return;
		}

		case '/dashboard/debug': {
			if (!readOnly) {
				methodNotAllowed(res, 'GET');
				return;
			}

			const {sse, cable, ws} = context.broadcaster.counts;
			sendJson(res, 200, {
				current_time: new Date().toISOString(),
				server: 'sse-tui serve',
				status: context.closing ? 'stopping' : 'running',
				connections: {sse: sse.current, cable: cable.current, ws: ws.current, total: sse.current + cable.current + ws.current},
				last_event_id: context.replay.lastId,
			});
			return;
		}

		case '/dashboard/stats': {
			if (readOnly) {
				sendJson(res, 200, statsDocument(context));
			} else {
				methodNotAllowed(res, 'GET');
			}

			return;
		}

		case '/dashboard/trigger-test':
		case '/dashboard/trigger-test-pubsub': {
			if (method !== 'GET' && method !== 'POST') {
				methodNotAllowed(res, 'GET, POST');
				return;
			}

			handleTrigger(context, res, url).catch((error: unknown) => {
				context.logger.error('trigger failed', {error: String(error)});
				if (!res.headersSent) {
					sendJson(res, 500, {error: 'trigger failed'});
				}
			});
			return;
		}

		default: {
			sendJson(res, 404, {error: 'not found', path: url.pathname, endpoints});
		}
	}
}
