import type {Redis} from 'ioredis';
import {commandTimeoutMs, withTimeout} from './redis-command.js';

type StreamEntry = [id: string, fields: string[]];

/** Stream entries after `id` plus the oldest and newest ids held (for gap detection). */
export async function readStreamSince(redis: Redis, key: string, id: string): Promise<{first: string | undefined; last: string | undefined; entries: Array<{id: string; data: string}>}> {
	const replies = await withTimeout(
		redis
			.pipeline()
			.xrange(key, '-', '+', 'COUNT', 1)
			.xrevrange(key, '+', '-', 'COUNT', 1)
			.xrange(key, `(${id}`, '+')
			.exec(),
		commandTimeoutMs,
		'XRANGE',
	);
	const results = (replies ?? []).map(([error, value]) => {
		if (error) {
			throw error;
		}

		return value as StreamEntry[];
	});
	return {first: results[0]?.[0]?.[0], last: results[1]?.[0]?.[0], entries: (results[2] ?? []).map(entryOf)};
}

/** The newest `count` stream entries, oldest first. */
export async function readStreamLatest(redis: Redis, key: string, count: number): Promise<Array<{id: string; data: string}>> {
	const entries = (await withTimeout(redis.xrevrange(key, '+', '-', 'COUNT', count), commandTimeoutMs, 'XREVRANGE')) as StreamEntry[];
	return entries.map(entryOf).reverse();
}

function entryOf([id, fields]: StreamEntry): {id: string; data: string} {
	const index = fields.indexOf('data');
	return {id, data: index === -1 ? 'null' : (fields[index + 1] ?? 'null')};
}
