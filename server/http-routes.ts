import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerContext} from './context.js';
import {corsHeaders, sendJson, sendText} from './http-util.js';
import {isRunId} from '../source/payloads.js';
import {handleSse} from './sse-endpoint.js';
import {handleEcho} from './echo-endpoint.js';
import {statsDocument} from './stats.js';
import {allowOriginFor, isAuthorized, triggerOriginAllowed, unauthorizedText} from './security.js';
import {maxTriggerBytes, triggerBytes, type TriggerRequest, type TriggerTarget} from './trigger.js';

export const maxTriggerCount = 100_000;
export const maxTriggerPad = 65_536;

const endpoints = ['/dashboard/stream', '/cable', '/ws', '/health', '/dashboard/debug', '/dashboard/stats', '/dashboard/trigger-test', '/stream/echo'];

function methodNotAllowed(res: ServerResponse, allow: string): void {
	sendJson(res, 405, {error: `method not allowed; use ${allow}`}, {Allow: allow});
}

function wholeParam(url: URL, name: string, fallback: number, max: number, min = 0): number | string {
	const raw = url.searchParams.get(name);
	if (raw === null || raw === '') {
		return fallback;
	}

	const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
	if (!Number.isSafeInteger(value) || value < min || value > max) {
		return `${name} must be a whole number from ${min} to ${max} (got "${raw}")`;
	}

	return value;
}

/** `run=ID&seq=N`: tag the updates as messages N, N+1, ... of a load run. Undefined: untagged. */
function runParams(url: URL): {run: string; seq: number} | undefined | string {
	const run = url.searchParams.get('run');
	const seq = wholeParam(url, 'seq', 1, Number.MAX_SAFE_INTEGER - maxTriggerCount, 1);
	if (typeof seq === 'string') {
		return seq;
	}

	if (run === null) {
		return url.searchParams.has('seq') ? 'seq numbers the updates of a run: add run=ID' : undefined;
	}

	return isRunId(run) ? {run, seq} : `run must be 1-64 characters of A-Z, a-z, 0-9, _ and - (got "${run.slice(0, 80)}")`;
}

async function handleTrigger(context: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	// A page on another site could fire a state-changing POST with a plain form: only origins
	// --allowed-origins admits (default: localhost pages) may; scripts send no Origin.
	if (!triggerOriginAllowed(context.options, req.headers.origin)) {
		context.counters.rejectedOrigin++;
		context.logger.warn('trigger rejected: origin not allowed', {origin: req.headers.origin});
		sendJson(res, 403, {error: 'origin not allowed; start the server with --allowed-origins listing it'});
		return;
	}

	const count = wholeParam(url, 'count', 1, maxTriggerCount);
	const pad = wholeParam(url, 'pad', 0, maxTriggerPad);
	const tagged = runParams(url);
	for (const value of [count, pad, tagged]) {
		if (typeof value === 'string') {
			sendJson(res, 400, {error: value});
			return;
		}
	}

	const bytes = triggerBytes(count as number, pad as number);
	if (bytes > maxTriggerBytes) {
		sendJson(res, 400, {error: `one trigger may generate at most ${maxTriggerBytes} bytes, counted as count x (pad + 512) (got ${bytes}); lower count or pad`, max_bytes: maxTriggerBytes});
		return;
	}

	const request: TriggerRequest = {count: count as number, pad: pad as number, tagged: tagged as TriggerRequest['tagged']};
	// In a worker of `serve --workers N` the primary produces the updates for every worker.
	const answer = context.cluster ? await context.cluster.trigger(request) : await context.triggerGate.run(localTarget(context), request);
	if (answer.status === 429) {
		context.counters.triggerLimited++;
		context.logger.warn('trigger rate-limited', {retry_after_ms: answer.retryAfterMs});
	}

	sendJson(res, answer.status, answer.body, answer.retryAfterMs === undefined ? {} : {'Retry-After': String(Math.max(1, Math.ceil(answer.retryAfterMs / 1000)))});
}

/** This process's own subscribers, numbered by its own replay store. */
function localTarget(context: ServerContext): TriggerTarget {
	return {
		redis: context.redis,
		logger: context.logger,
		closing: () => context.closing,
		nextNumber: () => ++context.counters.triggered,
		publishLocal(batch) {
			let deliveries = 0;
			let firstId = '';
			for (const json of batch) {
				deliveries += context.broadcaster.publish(json);
				firstId ||= context.replay.lastId;
			}

			return {deliveries, firstId, lastId: context.replay.lastId};
		},
		subscribers() {
			const {sse, cable, ws} = context.broadcaster.counts;
			return {sse: sse.current, cable: cable.current, ws: ws.current};
		},
		audience: () => context.broadcaster.size,
		settled: async () => context.broadcaster.flushed(),
	};
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
	const {options} = context;
	context.logger.debug('request', {method, path: url.pathname});
	const origin = req.headers.origin;
	const allowOrigin = allowOriginFor(options, origin);
	if (allowOrigin !== undefined) {
		res.setHeader('Access-Control-Allow-Origin', allowOrigin);
	}

	if (allowOrigin !== '*') {
		res.setHeader('Vary', 'Origin');
	}

	if (method === 'OPTIONS') {
		// Preflights carry no credentials, so they are answered before the token check: with the
		// CORS headers for origins allowed (the trigger: only those --allowed-origins admits).
		const trigger = url.pathname.startsWith('/dashboard/trigger-test');
		if (allowOrigin === undefined || (trigger && !triggerOriginAllowed(options, origin))) {
			res.removeHeader('Access-Control-Allow-Origin');
			sendJson(res, 403, {error: 'origin not allowed'});
			return;
		}

		res.writeHead(204, {...corsHeaders, 'Access-Control-Max-Age': '86400', ...(options.token === undefined ? {} : {'Access-Control-Allow-Headers': `${corsHeaders['Access-Control-Allow-Headers']}, Authorization`})});
		res.end();
		return;
	}

	if (url.pathname !== '/health' && !isAuthorized(options, req, url)) {
		context.counters.rejectedAuth++;
		context.logger.warn('request rejected: no valid token', {method, path: url.pathname, remote: req.socket.remoteAddress});
		sendJson(res, 401, {error: unauthorizedText}, {'WWW-Authenticate': 'Bearer realm="sse-tui"'});
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
				...(context.cluster ? {worker: context.cluster.worker, pid: process.pid} : {}),
				...(context.redis ? {redis: context.redis.state} : {}),
			});
			return;
		}

		case '/dashboard/stats': {
			if (!readOnly) {
				methodNotAllowed(res, 'GET');
			} else if (context.cluster) {
				// Summed over every worker by the primary; its wait for them is bounded.
				context.cluster
					.stats()
					.then(stats => {
						sendJson(res, 200, statsDocument(context, stats));
					})
					.catch((error: unknown) => {
						context.logger.error('cluster stats failed', {error: String(error)});
						sendJson(res, 503, {error: 'the primary did not answer; try again'});
					});
			} else {
				sendJson(res, 200, statsDocument(context));
			}

			return;
		}

		case '/dashboard/trigger-test':
		case '/dashboard/trigger-test-pubsub': {
			// POST only: a GET could be fired by any page with an <img> tag.
			if (method !== 'POST') {
				methodNotAllowed(res, 'POST');
				return;
			}

			handleTrigger(context, req, res, url).catch((error: unknown) => {
				context.logger.error('trigger failed', {error: String(error)});
				if (!res.headersSent) {
					sendJson(res, 500, {error: 'trigger failed'});
				}
			});
			return;
		}

		case '/stream/echo': {
			if (method !== 'GET' && method !== 'POST') {
				methodNotAllowed(res, 'GET, POST');
				return;
			}

			handleEcho(context, req, res, url).catch((error: unknown) => {
				context.logger.error('echo failed', {error: String(error)});
				if (!res.headersSent) {
					sendJson(res, 500, {error: 'echo failed'});
				}
			});
			return;
		}

		default: {
			sendJson(res, 404, {error: 'not found', path: url.pathname, endpoints});
		}
	}
}
