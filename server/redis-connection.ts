import type {RedisOptions} from 'ioredis';
import type {RedisBridgeOptions} from './redis-bridge.js';

/** What both bridge connections share (each adds its own connectionName). */
export function connectionOptions(options: Pick<RedisBridgeOptions, 'maxBackoffMs' | 'connectTimeoutMs'>): RedisOptions {
	const maxBackoff = options.maxBackoffMs ?? 2000;
	return {
		lazyConnect: true,
		connectTimeout: options.connectTimeoutMs ?? 3000,
		// 100 ms, 200 ms, 400 ms ... capped: a restarted Redis is found again within the cap.
		retryStrategy: times => Math.min(50 * 2 ** Math.min(times, 16), maxBackoff),
		// No offline queue and no retries: a command while Redis is away fails at once (and
		// memory stays flat), the caller delivers locally instead.
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		autoResendUnfulfilledCommands: false,
		// We subscribe on every 'ready' ourselves, to know when the subscription is live.
		autoResubscribe: false,
		disconnectTimeout: 500,
	};
}
