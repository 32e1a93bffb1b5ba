import {testUpdate, type RunTag} from '../source/payloads.js';
import type {Logger} from './logger.js';
import {RateLimiter} from './security.js';
import type {RedisBridge} from './redis-bridge.js';

/** At most this many test updates in one slice (one event-loop turn). */
const maxSliceUpdates = 500;
/**
 * A slice is also kept under this many bytes of JSON and this many deliveries (updates x
 * subscribers), so building and queueing one stays within a few milliseconds however big the
 * trigger or the audience (issue 17, defect 5); the next slice waits until this one is written.
 */
const maxSliceBytes = 256 * 1024;
const maxSliceDeliveries = 50_000;
/** What one test update costs besides its pad, generously (measured: ~500 bytes with a run tag). */
export const updateOverheadBytes = 512;
/** The most one trigger may generate: count x (pad + 512 bytes). */
export const maxTriggerBytes = 64 * 1024 * 1024;

export function triggerBytes(count: number, pad: number): number {
	return count * (pad + updateOverheadBytes);
}

export type TriggerRequest = {count: number; pad: number; tagged: {run: string; seq: number} | undefined};

/** Where a trigger sends its updates: one process's broadcaster, or every worker of a cluster. */
export type TriggerTarget = {
	readonly redis: RedisBridge | undefined;
	readonly logger: Logger;
	closing(): boolean;
	/** The number of the next test update (counts every update this server ever triggered). */
	nextNumber(): number;
	/** Broadcasts to this server's own subscribers; resolves with deliveries queued and the ids given. */
	publishLocal(batch: readonly string[]): {deliveries: number; firstId: string; lastId: string} | Promise<{deliveries: number; firstId: string; lastId: string}>;
	/** Subscribers now (after the updates were queued). */
	subscribers(): {sse: number; cable: number; ws: number} | Promise<{sse: number; cable: number; ws: number}>;
	/** Subscribers to size the slices by (a guess is fine). */
	audience(): number;
	/** Resolves once what was queued so far has been written (the next slice waits for it). */
	settled(): Promise<void>;
};

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
async function trigger(target: TriggerTarget, {count, pad, tagged}: TriggerRequest): Promise<TriggerResult> {
	const {redis} = target;
	const result: TriggerResult = {deliveries: 0, firstId: '', lastId: '', viaRedis: 0, receivers: {total: 0, min: Number.POSITIVE_INFINITY, max: 0}, local: 0};
	const perSlice = Math.max(1, Math.min(maxSliceUpdates, Math.floor(maxSliceBytes / (pad + updateOverheadBytes)), Math.floor(maxSliceDeliveries / Math.max(1, target.audience()))));
	for (let sent = 0; sent < count && !target.closing(); ) {
		const end = Math.min(count, sent + perSlice);
		const batch: string[] = [];
		for (; sent < end; sent++) {
			const tag: RunTag | undefined = tagged && {run: tagged.run, seq: tagged.seq + sent};
			batch.push(JSON.stringify(testUpdate(target.nextNumber(), pad, new Date(), undefined, tag)));
		}

		let local: string[] = batch;
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

		if (local.length > 0) {
			const published = await target.publishLocal(local);
			result.local += local.length;
			result.deliveries += published.deliveries;
			result.firstId ||= published.firstId;
			result.lastId = published.lastId;
		}

		if (sent < count) {
			await target.settled();
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}
	}

	return result;
}

/** Runs a trigger and builds the endpoint's JSON answer. */
export async function runTrigger(target: TriggerTarget, request: TriggerRequest): Promise<Record<string, unknown>> {
	const {count, pad, tagged} = request;
	const started = performance.now();
	const result = await trigger(target, request);
	const {redis} = target;
	const body: Record<string, unknown> = {
		status: 'ok',
		count,
		pad,
		estimated_bytes: triggerBytes(count, pad),
		max_bytes: maxTriggerBytes,
		...(tagged ? {run: tagged.run, seq: tagged.seq} : {}),
		deliveries: result.deliveries,
		first_id: result.firstId,
		last_id: result.lastId,
		subscribers: await target.subscribers(),
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
			body['fallback'] = `Redis is ${redis.state}: ${result.local} of ${count} updates were broadcast to this instance's subscribers only`;
		}
	}

	target.logger.info('test updates sent', {count, pad, via: body['via'] as string | undefined, deliveries: result.deliveries});
	return body;
}

/** Triggers generating at once; one more is told to retry (each is sliced, but each holds memory). */
export const maxRunningTriggers = 2;

/** What the trigger endpoint answers: 200 with the result, or 429 with when to retry. */
export type TriggerAnswer = {status: number; body: Record<string, unknown>; retryAfterMs?: number};

/**
 * The trigger's admission: `triggerRate` requests per second (a bucket of `triggerBurst`),
 * and at most two running at once. Lives where triggers run: the lone server, or the primary
 * of `serve --workers N` (so the limit is the whole server's).
 */
export class TriggerGate {
	private readonly limiter: RateLimiter;
	private running = 0;

	constructor(rate: number, burst: number) {
		this.limiter = new RateLimiter(rate, burst);
	}

	async run(target: TriggerTarget, request: TriggerRequest): Promise<TriggerAnswer> {
		const wait = this.running >= maxRunningTriggers ? 1000 : this.limiter.take();
		if (wait > 0) {
			const why = this.running >= maxRunningTriggers ? `${maxRunningTriggers} triggers are running` : 'too many trigger requests';
			return {status: 429, retryAfterMs: wait, body: {error: `${why}; retry after ${Math.ceil(wait / 1000)} s`, retry_after_ms: wait}};
		}

		this.running++;
		try {
			return {status: 200, body: await runTrigger(target, request)};
		} finally {
			this.running--;
		}
	}
}
