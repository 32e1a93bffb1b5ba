import {Redis} from 'ioredis';
import {redactRedisUrl} from '../redis-url.js';
import type {RedisSample} from './types.js';

export type {RedisSample} from './types.js';


/** A field of INFO's `name:value` lines. */
function infoNumber(info: string, name: string): number {
	const match = new RegExp(`^${name}:(\\d+(?:\\.\\d+)?)`, 'm').exec(info);
	return match ? Number(match[1]) : 0;
}

/**
 * Polls a Redis once a second for what the server side sees: subscribers of the watched
 * channels, clients, ops/s, memory. One command batch at a time, each bounded; a Redis that is
 * down shows as unreachable and is retried on the next poll, never waited for.
 */
export class RedisWatch {
	readonly label: string;
	readonly #redis: Redis;
	#busy = false;
	#lastError = '';

	constructor(readonly url: string, readonly channels: readonly string[], readonly timeoutMs = 900) {
		this.label = redactRedisUrl(url);
		this.#redis = new Redis(url, {
			lazyConnect: true,
			connectTimeout: timeoutMs,
			commandTimeout: timeoutMs,
			maxRetriesPerRequest: 0,
			enableOfflineQueue: false,
			retryStrategy: () => 1000,
			connectionName: 'sse-tui-watch',
			disconnectTimeout: 200,
		});
		this.#redis.on('error', (error: Error) => {
			this.#lastError = error.message;
		});
	}

	async poll(t: number): Promise<RedisSample | undefined> {
		if (this.#busy) {
			return undefined;
		}

		this.#busy = true;
		try {
			if (this.#redis.status === 'wait' || this.#redis.status === 'end') {
				await this.#redis.connect();
			}

			const [numsub, numpat, info, clients] = await Promise.all([
				this.#redis.call('PUBSUB', 'NUMSUB', ...this.channels) as Promise<Array<string | number>>,
				this.#redis.call('PUBSUB', 'NUMPAT') as Promise<number>,
				this.#redis.info() as Promise<string>,
				this.#redis.call('CLIENT', 'LIST') as Promise<string>,
			]);
			const subscribers: Record<string, number> = {};
			for (let index = 0; index + 1 < numsub.length; index += 2) {
				subscribers[String(numsub[index])] = Number(numsub[index + 1]);
			}

			return {
				t,
				reachable: true,
				subscribers,
				patterns: Number(numpat),
				connectedClients: infoNumber(info, 'connected_clients'),
				opsPerSec: infoNumber(info, 'instantaneous_ops_per_sec'),
				usedMemoryBytes: infoNumber(info, 'used_memory'),
				serveConnections: clients.split('\n').filter(line => / name=sse-tui-serve/.test(line)).length,
			};
		} catch (error) {
			return {t, reachable: false, error: this.#lastError || (error as Error).message, subscribers: {}, patterns: 0, connectedClients: 0, opsPerSec: 0, usedMemoryBytes: 0, serveConnections: 0};
		} finally {
			this.#busy = false;
		}
	}

	async close(): Promise<void> {
		this.#redis.disconnect();
	}
}
