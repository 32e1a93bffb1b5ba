import type {Writable} from 'node:stream';
import {Redis} from 'ioredis';
import {RunError} from '../source/errors.js';
import {formatDuration} from '../source/units.js';
import {testUpdate} from '../source/payloads.js';
import type {PublishOptions} from './publish-options.js';
import {addReceivers, perLineLimit, summary, tally, type Tally} from './publish-output.js';
import {sleepUntil} from './publish-pacing.js';
import {redactRedisUrl} from '../source/redis-url.js';

/** Unpaced publishes in flight at once (ioredis pipelines them on the one connection). */
const burst = 1000;

function messageFor(options: PublishOptions, seq: number): string {
	if (options.message !== undefined) {
		return options.message;
	}

	return JSON.stringify({...testUpdate(seq, options.padBytes, new Date(), 'sse-tui publish'), seq});
}

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
	redis.on('error', (error: Error) => {
		lastError = error.message;
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
		throw new RunError(`cannot reach Redis at ${redactRedisUrl(url)}: ${reason}; is redis-server running there (see --redis, REDIS_URL)?`);
	} finally {
		clearTimeout(timer);
	}
}

export async function publishViaRedis(options: PublishOptions & {target: {kind: 'redis'}}, stdout: Writable, stop: AbortSignal): Promise<Tally> {
	const {url, channel} = options.target;
	const redis = await connect(url, options.timeoutMs);
	const result = tally();
	const perLine = options.count <= perLineLimit;
	const started = performance.now();
	try {
		for (let seq = 1; seq <= options.count && !stop.aborted; ) {
			const end = options.rate > 0 ? seq + 1 : Math.min(options.count + 1, seq + burst);
			if (options.rate > 0) {
				await sleepUntil(started + ((seq - 1) / options.rate) * 1000, stop);
				if (stop.aborted) {
					break;
				}
			}

			const batch: Array<Promise<number>> = [];
			for (let index = seq; index < end; index++) {
				batch.push(redis.publish(channel, messageFor(options, index)));
			}

			let receivers: number[];
			try {
				receivers = await Promise.all(batch);
			} catch (error) {
				throw new RunError(`publishing on ${channel} failed after ${result.sent} of ${options.count} messages: ${(error as Error).message}`);
			}

			for (const [offset, received] of receivers.entries()) {
				addReceivers(result, received);
				if (perLine) {
					stdout.write(`#${seq + offset} -> ${received} ${received === 1 ? 'subscriber' : 'subscribers'}\n`);
				}
			}

			seq = end;
		}
	} finally {
		redis.disconnect();
	}

	stdout.write(summary(result, `${channel} (${redactRedisUrl(url)})`, performance.now() - started) + '\n');
	return result;
}
