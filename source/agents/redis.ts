import {Redis} from 'ioredis';
import {redactRedisUrl} from '../redis-url.js';

export type Connection = {
	readonly redis: Redis;
	/** true while the connection is ready */
	readonly up: boolean;
	/** how many times it became ready (1 = first connect; more = it reconnected) */
	readonly readyCount: number;
	/** epoch ms when a ready connection was lost, undefined while up (or before the first connect) */
	readonly downSince: number | undefined;
	close(): void;
};

/**
 * An ioredis connection that keeps trying (a Redis restart mid-run must not end the run) and
 * never throws its connection errors at the caller: they are logged once per outage, with the
 * URL's password hidden. Commands wait in the offline queue while Redis is away; the callers'
 * own timers decide when an absence is a loss.
 */
export function connect(url: string, log: (text: string) => void, {onReady}: {onReady?: () => void} = {}): Connection {
	const redis = new Redis(url, {
		maxRetriesPerRequest: null,
		retryStrategy: times => Math.min(times * 100, 1000),
		lazyConnect: false,
	});
	let up = false;
	let readyCount = 0;
	let downSince: number | undefined;
	let reported = false;
	redis.on('ready', () => {
		up = true;
		downSince = undefined;
		readyCount++;
		if (reported) {
			log(`Redis ${redactRedisUrl(url)} is back`);
		}

		reported = false;
		onReady?.();
	});
	redis.on('error', (error: Error) => {
		if (!reported) {
			reported = true;
			log(`Redis ${redactRedisUrl(url)}: ${error.message.replaceAll(url, redactRedisUrl(url))}; reconnecting`);
		}
	});
	redis.on('close', () => {
		if (up) {
			downSince = Date.now();
		}

		up = false;
	});
	return {
		redis,
		get up() {
			return up;
		},
		get readyCount() {
			return readyCount;
		},
		get downSince() {
			return downSince;
		},
		close() {
			redis.disconnect();
		},
	};
}

/** Waits for the first connection, or fails with one line after `timeoutMs`. */
export async function firstReady(connection: Connection, url: string, timeoutMs: number): Promise<void> {
	if (connection.up) {
		return;
	}

	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			connection.redis.off('ready', ready);
			reject(new Error(`cannot reach Redis at ${redactRedisUrl(url)} within ${Math.round(timeoutMs / 1000)} s: check --redis and that the server runs`));
		}, timeoutMs);
		const ready = () => {
			clearTimeout(timer);
			resolve();
		};

		connection.redis.once('ready', ready);
	});
}
