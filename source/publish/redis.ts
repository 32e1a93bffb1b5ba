import {Redis} from 'ioredis';
import {RunError} from '../errors.js';
import {broadcastMessage} from '../payloads.js';
import {redactRedisUrl} from '../redis-url.js';
import {formatDuration} from '../units.js';
import {sleepUntil} from './pacing.js';
import {guardedPublisher, type Sequence} from './sequence.js';
import {addReceivers, settle, tally} from './tally.js';
import type {PublishResult, PublishSequenceOptions, Publisher} from './types.js';

/** Unpaced publishes in flight at once (ioredis pipelines them on the one connection). */
const burst = 1000;

async function connect(url: string, timeoutMs: number): Promise<Redis> {
	let lastError = '';
	const redis = new Redis(url, {
		lazyConnect: true,
		connectTimeout: timeoutMs,
		retryStrategy: () => null, // One attempt: a publisher reports a missing Redis, it does not wait for it.
		maxRetriesPerRequest: 0,
		enableOfflineQueue: false,
		connectionName: 'sse-tui-publish',
		disconnectTimeout: 200, // ioredis's 2 s default keeps a failed run alive that long.
	});
	let notRedis = false;
	redis.on('error', (error: Error) => {
		lastError = error.message;
		// Sticky: the peer closing afterwards ("Stream isn't writeable") must not hide why.
		notRedis ||= /protocol error/i.test(error.message);
	});
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			redis.connect(),
			new Promise<never>((_resolve, reject) => {
				// ioredis's connectTimeout covers the TCP connect; this covers AUTH/ready too.
				timer = setTimeout(() => reject(new Error(`no answer within ${formatDuration(timeoutMs)}`)), timeoutMs + 500);
			}),
		]);
		return redis;
	} catch (error) {
		redis.disconnect();
		const reason = lastError || (error as Error).message;
		// ioredis's words for a peer that answered something else ("Protocol error, got "H" as
		// reply type byte. Please report this.") read as its bug; it is a wrong port.
		if (notRedis || /protocol error/i.test(reason)) {
			throw new RunError(`${redactRedisUrl(url)} does not speak Redis (it answered something else: an HTTP server?); check the host and port (see --redis, REDIS_URL)`);
		}

		throw new RunError(`cannot reach Redis at ${redactRedisUrl(url)}: ${reason}; is redis-server running there (see --redis, REDIS_URL)?`);
	} finally {
		clearTimeout(timer);
	}
}

/** One connection, opened here; PUBLISH per message, paced or pipelined in bursts. */
export async function openRedisPublisher(target: {kind: 'redis'; url: string; channel: string}, timeoutMs: number): Promise<Publisher> {
	const redis = await connect(target.url, timeoutMs);
	const {channel} = target;
	async function send({count, first, rate, run, padBytes}: Sequence, options: PublishSequenceOptions): Promise<PublishResult> {
		const {stop, onPublished} = options;
		const message = options.message ?? ((seq: number) => broadcastMessage(seq, run, padBytes));
		const result = tally();
		const started = performance.now();
		for (let index = 0; index < count && !stop?.aborted; ) {
			const end = rate > 0 ? index + 1 : Math.min(count, index + burst);
			if (rate > 0) {
				await sleepUntil(started + (index / rate) * 1000, stop);
				if (stop?.aborted) {
					break;
				}
			}

			const batch: Array<Promise<number>> = [];
			const sentAt: number[] = [];
			for (let seq = first + index; seq < first + end; seq++) {
				sentAt.push(Date.now());
				batch.push(redis.publish(channel, message(seq)));
			}

			let receivers: number[];
			try {
				receivers = await Promise.all(batch);
			} catch (error) {
				throw new RunError(`publishing on ${channel} failed after ${result.sent} of ${count} messages: ${(error as Error).message}`);
			}

			for (const [offset, received] of receivers.entries()) {
				addReceivers(result, received);
				onPublished?.(first + index + offset, sentAt[offset]!, received, 'redis');
			}

			index = end;
		}

		return {...settle(result), notes: []};
	}

	return guardedPublisher(target, send, () => {
		redis.disconnect();
	});
}
