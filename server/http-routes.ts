import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ServerContext} from './context.js';
import {corsHeaders, sendJson, sendText} from './http-util.js';
import {isRunId, testUpdate, type RunTag} from '../source/payloads.js';
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

type TriggerResult = {
	deliveries: number;
	firstId: string;
	lastId: string;
	/** Published through Redis, and the subscriber counts Redis reported for them. */
	viaRedis: number;
	receivers: {total: number; min: number; max: number};
	/** Broadcast here only, because Redis was unavailable. */
	local: number;
};

/**
 * Sends `count` test updates, a batch per event-loop turn. With Redis up they are published
 * there, so every instance (this one too) delivers them once; whatever Redis cannot take is
 * broadcast to this instance's own subscribers instead. With a run, update i carries
 * `"run"` and `"seq": seq + i` in the JSON itself, so every instance delivers the same numbers.
 */
async function trigger(context: ServerContext, count: number, pad: number, tagged?: {run: string; seq: number}): Promise<TriggerResult> {
	const {redis} = context;
	const result: TriggerResult = {deliveries: 0, firstId: '', lastId: '', viaRedis: 0, receivers: {total: 0, min: Number.POSITIVE_INFINITY, max: 0}, local: 0};
	for (let sent = 0; sent < count && !context.closing; ) {
		const end = Math.min(count, sent + triggerBatch);
		const batch: string[] = [];
		for (; sent < end; sent++) {
			context.counters.triggered++;
			const tag: RunTag | undefined = tagged && {run: tagged.run, seq: tagged.seq + sent};
			batch.push(JSON.stringify(testUpdate(context.counters.triggered, pad, new Date(), undefined, tag)));
		}

		let local = batch;
		if (redis?.available) {
			// Published together (ioredis pipelines them), counted in order; on the first failure
			// the rest of the batch goes local, so nothing is delivered twice here.
			const outcomes = await Promise.allSettled(batch.map(async json => redis.publish(json)));
			const failed = outcomes.findIndex(outcome => outcome.status === 'rejected');
			for (const outcome of failed === -1 ? outcomes : outcomes.slice(0, failed)) {
				const receivers = (outcome as PromiseFulfilledResult<number>).value;
				result.viaRedis++;
				result.receivers.total += receivers;
				result.receivers.min = Math.min(result.receivers.min, receivers);
				result.receivers.max = Math.max(result.receivers.max, receivers);
			}

			local = failed === -1 ? [] : batch.slice(failed);
		}

		for (const json of local) {
			result.local++;
			result.deliveries += context.broadcaster.publish(json);
			result.firstId ||= context.replay.lastId;
		}

		if (sent < count) {
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	}

	result.lastId = result.local > 0 ? context.replay.lastId : '';
	return result;
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

	const runTag = tagged as {run: string; seq: number} | undefined;
	const started = performance.now();
	const result = await trigger(context, count as number, pad as number, runTag);
	const {sse, cable, ws} = context.broadcaster.counts;
	const {redis} = context;
	const body: Record<string, unknown> = {
		status: 'ok',
		count,
		pad,
		...(runTag ? {run: runTag.run, seq: runTag.seq} : {}),
		deliveries: result.deliveries,
		first_id: result.firstId,
		last_id: result.lastId,
		subscribers: {sse: sse.current, cable: cable.current, ws: ws.current},
		duration_ms: Math.round((performance.now() - started) * 10) / 10,
	};
	if (redis) {
		// Deliveries through Redis happen as each instance receives them: `deliveries` counts
		// only the local fallback; `redis.receivers` is what PUBLISH reported (instances).
		body['via'] = result.local === 0 ? 'redis' : result.viaRedis === 0 ? 'local' : 'redis+local';
		body['redis'] = {
			state: redis.state,
			channel: redis.channels[0],
			published: result.viaRedis,
			receivers: result.viaRedis === 0 ? {total: 0, min: 0, max: 0} : result.receivers,
		};
		if (result.local > 0) {
			body['fallback'] = `Redis is ${redis.state}: ${result.local} of ${count as number} updates were broadcast to this instance's subscribers only`;
		}
	}

	context.logger.info('test updates sent', {count: count as number, pad: pad as number, via: body['via'] as string | undefined, deliveries: result.deliveries});
	sendJson(res, 200, body);
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
				...(context.redis ? {redis: context.redis.state} : {}),
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
