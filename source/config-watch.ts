import {deliveryDefaults} from './config-delivery.js';
import {UsageError} from './errors.js';
import {redactUrl} from './redact.js';
import {parseRedisUrl} from './redis-url.js';
import {defaultFields, parseWatchField, type WatchField} from './watch/stats-watch.js';

/** The server's side of the run (`--watch-redis`, `--watch-stats`). */
export type WatchConfig = Readonly<{
	redisUrl: string | undefined;
	/** channels whose PUBSUB NUMSUB is shown (the run's --redis-channel, comma-separated for several) */
	channels: readonly string[];
	statsUrl: string | undefined;
	fields: readonly WatchField[];
	/** the server opens a Redis subscriber per stream: NUMSUB should equal the clients open */
	perStream: boolean;
}>;

export type WatchFlags = {
	watchRedis?: string;
	watchStats?: string;
	watchField?: string[];
	redisPerStream?: boolean;
	redisChannel?: string;
};

const fieldPattern = /^(?:[\w-]+=)?[^.\s=]+(?:\.[^.\s=]+)*$/;

export function resolveWatch(flags: WatchFlags, protocol: 'sse' | 'cable' | 'raw'): WatchConfig | undefined {
	// meow hands a repeatable flag over as [] when it is absent.
	const watchField = flags.watchField?.length ? flags.watchField : undefined;
	if (watchField !== undefined && flags.watchStats === undefined) {
		throw new UsageError('--watch-field goes with --watch-stats URL (the fields are read from its JSON)');
	}

	if (flags.redisPerStream && flags.watchRedis === undefined) {
		throw new UsageError('--redis-per-stream goes with --watch-redis URL');
	}

	let statsUrl: string | undefined;
	if (flags.watchStats !== undefined) {
		try {
			statsUrl = new URL(flags.watchStats).href;
		} catch {
			statsUrl = undefined;
		}

		if (statsUrl === undefined || !/^https?:/.test(statsUrl)) {
			throw new UsageError(`--watch-stats must be an http(s) URL of a JSON stats endpoint, like http://127.0.0.1:3001/dashboard/stats (got "${redactUrl(flags.watchStats)}")`);
		}
	}

	if (flags.watchRedis === undefined && flags.watchStats === undefined) {
		return undefined;
	}

	for (const field of watchField ?? []) {
		if (!fieldPattern.test(field)) {
			throw new UsageError(`--watch-field must be NAME=PATH or PATH, a JSON path with dots, like connections=connections.sse.current (got "${field}")`);
		}
	}

	const channels = (flags.redisChannel ?? deliveryDefaults.channel).split(',').map(channel => channel.trim()).filter(Boolean);
	return Object.freeze({
		redisUrl: flags.watchRedis === undefined ? undefined : parseRedisUrl(flags.watchRedis, '--watch-redis'),
		channels: Object.freeze(channels),
		statsUrl,
		fields: Object.freeze(watchField === undefined ? defaultFields(protocol) : watchField.map(field => parseWatchField(field))),
		perStream: Boolean(flags.redisPerStream),
	});
}
