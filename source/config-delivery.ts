import {UsageError} from './errors.js';
import {parsePad, parseRate, parseTriggerUrl} from './publish/flags.js';
import {parseRedisUrl} from './redis-url.js';
import {parseDuration, parseInteger} from './units.js';

/** Where the broadcast scenario publishes: Redis (the server subscribes there) or a trigger endpoint. */
export type BroadcastTarget = Readonly<{kind: 'redis'; url: string; channel: string} | {kind: 'http'; url: string; token?: string}>;

/** `--scenario broadcast`: connect, wait until open, publish `count` at `rate`, drain, judge. */
export type BroadcastConfig = Readonly<{
	target: BroadcastTarget;
	count: number;
	/** messages per second; 0 = as fast as possible */
	rate: number;
	/** longest wait for every client to be open (subscribed, for ActionCable) before publishing */
	settleMs: number;
	/** wait after the last publish for stragglers */
	drainMs: number;
	padBytes: number;
	/** tells this run's messages from any other on the channel */
	runId: string;
}>;

export type DeliveryFlags = {
	seqField?: string;
	latencyField?: string;
	count?: string;
	rate?: string;
	publish?: string;
	trigger?: string;
	redisChannel?: string;
	settle?: string;
	drain?: string;
	pad?: string;
};

export const deliveryDefaults = {
	latencyField: 'sent_at',
	count: 100,
	rate: '10',
	channel: 'dashboard_updates',
	settle: '30s',
	drain: '3s',
} as const;

const pathPattern = /^[^.\s]+(?:\.[^.\s]+)*$/;

/** A JSON path like `seq` or `message.meta.seq`. */
export function jsonPath(text: string | undefined, flag: string, example: string): string | undefined {
	if (text === undefined) {
		return undefined;
	}

	if (!pathPattern.test(text)) {
		throw new UsageError(`${flag} must be a JSON path like ${example}, keys joined by dots (got "${text}")`);
	}

	return text;
}

const broadcastOnly: ReadonlyArray<[keyof DeliveryFlags, string]> = [
	['count', '--count'], ['rate', '--rate'], ['publish', '--publish'], ['trigger', '--trigger'],
	['redisChannel', '--redis-channel'], ['settle', '--settle'], ['drain', '--drain'], ['pad', '--pad'],
];

/** The broadcast scenario's settings, or undefined for other scenarios (whose use of its flags is a mistake). */
export function resolveBroadcast(flags: DeliveryFlags & {watchRedis?: string}, isBroadcast: boolean, runId: string): BroadcastConfig | undefined {
	if (!isBroadcast) {
		// --redis-channel also names what --watch-redis watches.
		const stray = broadcastOnly.find(([key]) => flags[key] !== undefined && !(key === 'redisChannel' && flags.watchRedis !== undefined));
		if (stray) {
			throw new UsageError(`${stray[1]} belongs to the broadcast scenario: add --scenario broadcast (or drop ${stray[1]})`);
		}

		return undefined;
	}

	if ((flags.publish === undefined) === (flags.trigger === undefined)) {
		throw new UsageError(flags.publish === undefined
			? '--scenario broadcast needs where to publish: --publish redis://127.0.0.1:6379 (the Redis your server subscribes to) or --trigger http://127.0.0.1:3001/dashboard/trigger-test'
			: '--publish and --trigger are two ways to publish: give one of them');
	}

	let target: BroadcastTarget;
	if (flags.publish === undefined) {
		if (flags.redisChannel !== undefined) {
			throw new UsageError('--redis-channel goes with --publish redis://…; a --trigger endpoint publishes on its own channel');
		}

		target = {kind: 'http', url: parseTriggerUrl(flags.trigger!, '--trigger')};
	} else {
		const channel = (flags.redisChannel ?? deliveryDefaults.channel).trim();
		if (channel === '' || /\s/.test(channel)) {
			throw new UsageError(`--redis-channel must be a channel name without spaces, like dashboard_updates or myapp_production:dashboard_updates (got "${flags.redisChannel}")`);
		}

		target = {kind: 'redis', url: parseRedisUrl(flags.publish, '--publish'), channel};
	}

	return Object.freeze({
		target: Object.freeze(target),
		count: parseInteger(flags.count ?? String(deliveryDefaults.count), '--count', 1, 10_000_000),
		rate: parseRate(flags.rate ?? deliveryDefaults.rate, '--rate'),
		settleMs: parseDuration(flags.settle ?? deliveryDefaults.settle, '--settle', {allowZero: true}),
		drainMs: parseDuration(flags.drain ?? deliveryDefaults.drain, '--drain', {allowZero: true}),
		padBytes: parsePad(flags.pad, '--pad', target.kind),
		runId,
	});
}
