import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerContext} from './context.js';
import {corsHeaders, sendJson, sendText} from './http-util.js';
import {isRunId} from '../source/payloads.js';
import {handleSse} from './sse-endpoint.js';
import {handleEcho} from './echo-endpoint.js';
import {statsDocument} from './stats.js';
import {runTrigger, type TriggerRequest, type TriggerTarget} from './trigger.js';

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

async function handleTrigger(context: ServerContext, res: ServerResponse, url: URL): Promise<void> {
	const count = wholeParam(url, 'count', 1, maxTriggerCount);
	const pad = wholeParam(url, 'pad', 0, maxTriggerPad);
	const tagged = runParams(url);
	for (const value of [count, pad, tagged]) {
		if (typeof value === 'string') {
			sendJson(res, 400, {error: value});
			return;
		}
	}

	const request: TriggerRequest = {count: count as number, pad: pad as number, tagged: tagged as TriggerRequest['tagged']};
	// In a worker of `serve --workers N` the primary produces the updates for every worker.
	const body = context.cluster ? await context.cluster.trigger(request) : await runTrigger(localTarget(context), request);
	sendJson(res, 200, body);
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
