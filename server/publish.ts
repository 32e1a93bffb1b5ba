import process from 'node:process';
import type {Writable} from 'node:stream';
import {Redis} from 'ioredis';
import meow from 'meow';
import {RunError, UsageError} from '../source/errors.js';
import {formatDuration, parseBytes, parseDuration, parseInteger} from '../source/units.js';
import {checkArguments} from './cli.js';
import {testUpdate} from './payloads.js';
import {parseRedisUrl, redactRedisUrl} from './redis-url.js';

const help = `
	Usage
	  $ sse-tui publish [options] [JSON]

	Publishes test updates (Rails' TestPubsubJob shape, with "seq" and "sent_at"), or the
	JSON you give, on a Redis channel, and prints how many subscribers Redis reported for
	each publish: with "sse-tui serve --redis", one per server instance. With --http it sends
	them through a server's trigger endpoint instead.

	Options
	  --redis URL        Redis to publish on (env REDIS_URL)             default redis://127.0.0.1:6379
	  --channel NAME     channel (Rails cable adapter: PREFIX:NAME)      default dashboard_updates
	  --count N          how many messages                                default 1
	  --rate R[/s]       messages per second (0 = as fast as possible)    default 0
	  --pad BYTES        add a "pad" of this many x's to each test update default 0
	  --http URL         POST to a trigger endpoint instead of Redis,
	                     e.g. http://127.0.0.1:3001/dashboard/trigger-test
	  --timeout D        connect (and HTTP response) timeout             default 5s
	  --help             show this help

	  JSON               publish this exact message instead of test updates (--count times);
	                     it must be valid JSON: quote it for the shell

	  Each line says how many subscribers received a publish; over 10 messages only the
	  summary is printed (total, min and max per publish). Exit codes: 0 published,
	  1 Redis or the endpoint could not be reached (or failed), 2 usage error.

	Examples
	  $ sse-tui publish
	  $ sse-tui publish --count 1000 --rate 200 --pad 1KiB
	  $ sse-tui publish '{"type":"announcement","message":"hello"}'
	  $ sse-tui publish --redis redis://:secret@cache:6379/0 --channel dashboard_production:dashboard_updates
	  $ sse-tui publish --http http://127.0.0.1:3001/dashboard/trigger-test --count 100
`;

const flags = {
	redis: {type: 'string'},
	channel: {type: 'string'},
	count: {type: 'string'},
	rate: {type: 'string'},
	pad: {type: 'string'},
	http: {type: 'string'},
	timeout: {type: 'string'},
	help: {type: 'boolean', shortFlag: 'h'},
} as const;

export type PublishFlags = {[Key in keyof typeof flags]?: (typeof flags)[Key]['type'] extends 'boolean' ? boolean : string};

export type PublishOptions = {
	readonly target: {readonly kind: 'redis'; readonly url: string; readonly channel: string} | {readonly kind: 'http'; readonly url: string};
	readonly count: number;
	/** Messages per second; 0 = no pacing. */
	readonly rate: number;
	readonly padBytes: number;
	/** The exact message (JSON text), or undefined for test updates. */
	readonly message: string | undefined;
	readonly timeoutMs: number;
};

export const maxPublishCount = 10_000_000;
/** Up to this many messages each publish gets its own line; above it, only the summary. */
const perLineLimit = 10;
/** Unpaced publishes in flight at once (ioredis pipelines them on the one connection). */
const burst = 1000;

function parseRate(text: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/i.exec(text);
	const value = match ? Number(match[1]) : Number.NaN;
	if (!Number.isFinite(value) || value > 1_000_000) {
		throw new UsageError(`--rate must be messages per second like 100 or 100/s, 0 for no limit (got "${text}")`);
	}

	return value;
}

/** Pure: parsed flags + the JSON argument + environment -> validated, frozen options. */
export function resolvePublishOptions(cliFlags: PublishFlags, input: readonly string[], env: NodeJS.ProcessEnv): PublishOptions {
	if (input.length > 1) {
		throw new UsageError(`"sse-tui publish" takes at most one JSON argument (got ${input.length}); quote the JSON for the shell`);
	}

	const message = input[0];
	if (message !== undefined) {
		try {
			JSON.parse(message);
		} catch {
			throw new UsageError(`the message must be valid JSON, e.g. '{"type":"hello"}' (got ${JSON.stringify(message.slice(0, 60))})`);
		}
	}

	const count = parseInteger(cliFlags.count ?? '1', '--count', 1, maxPublishCount);
	const rate = parseRate(cliFlags.rate ?? '0');
	const padBytes = cliFlags.pad === undefined || cliFlags.pad.trim() === '0' ? 0 : parseBytes(cliFlags.pad, '--pad');
	if (padBytes > 0 && message !== undefined) {
		throw new UsageError('--pad applies to test updates, not to a JSON message you give');
	}

	const timeoutMs = parseDuration(cliFlags.timeout ?? '5s', '--timeout');
	if (cliFlags.http !== undefined) {
		if (cliFlags.redis !== undefined || cliFlags.channel !== undefined) {
			throw new UsageError('--http publishes through the server; drop --redis and --channel (or drop --http)');
		}

		if (message !== undefined) {
			throw new UsageError('--http sends the trigger endpoint\'s own test updates; a JSON message needs Redis (drop --http)');
		}

		let url: URL;
		try {
			url = new URL(cliFlags.http);
		} catch {
			throw new UsageError(`--http must be a URL like http://127.0.0.1:3001/dashboard/trigger-test (got "${cliFlags.http}")`);
		}

		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new UsageError(`--http must be an http:// or https:// URL (got "${cliFlags.http}")`);
		}

		if (url.pathname === '/') {
			url.pathname = '/dashboard/trigger-test';
		}

		return Object.freeze({target: Object.freeze({kind: 'http' as const, url: url.toString()}), count, rate, padBytes, message, timeoutMs});
	}

	const redisText = cliFlags.redis ?? (env['REDIS_URL'] || 'redis://127.0.0.1:6379');
	const url = parseRedisUrl(redisText, cliFlags.redis === undefined && env['REDIS_URL'] ? 'REDIS_URL' : '--redis');
	const channel = (cliFlags.channel ?? 'dashboard_updates').trim();
	if (channel === '' || /\s/.test(channel)) {
		throw new UsageError(`--channel must be a channel name without spaces, like dashboard_updates (got "${cliFlags.channel}")`);
	}

	return Object.freeze({target: Object.freeze({kind: 'redis' as const, url, channel}), count, rate, padBytes, message, timeoutMs});
}

/** Receivers per publish, summarised. */
type Tally = {sent: number; total: number; min: number; max: number};

function tally(): Tally {
	return {sent: 0, total: 0, min: Number.POSITIVE_INFINITY, max: 0};
}

function count(result: Tally, receivers: number): void {
	result.sent++;
	result.total += receivers;
	result.min = Math.min(result.min, receivers);
	result.max = Math.max(result.max, receivers);
}

function summary(result: Tally, where: string, elapsedMs: number, receivers = 'subscribers'): string {
	const rate = elapsedMs > 0 ? ` (${Math.round((result.sent / elapsedMs) * 1000)}/s)` : '';
	const noun = result.sent === 1 ? 'message' : 'messages';
	if (result.sent === 0) {
		return `published nothing on ${where}`;
	}

	const spread = result.min === result.max ? `${result.min} each` : `min ${result.min}, max ${result.max}`;
	const warning = result.max === 0 ? ' -- nobody is subscribed: is "sse-tui serve --redis" running on this channel?' : '';
	return `published ${result.sent} ${noun} on ${where} in ${formatDuration(elapsedMs)}${rate}; ${receivers}: ${result.total} in total, ${spread}${warning}`;
}

async function sleepUntil(time: number, stop: AbortSignal): Promise<void> {
	const wait = time - performance.now();
	if (wait > 1 && !stop.aborted) {
		await new Promise<void>(resolve => {
			const timer = setTimeout(done, wait);
			function done(): void {
				clearTimeout(timer);
				stop.removeEventListener('abort', done);
				resolve();
			}

			stop.addEventListener('abort', done, {once: true});
		});
	}
}

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

async function publishViaRedis(options: PublishOptions & {target: {kind: 'redis'}}, stdout: Writable, stop: AbortSignal): Promise<Tally> {
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
				count(result, received);
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

type TriggerAnswer = {via?: string; deliveries?: number; fallback?: string; redis?: {published: number; receivers: {total: number; min: number; max: number}}};

async function postTrigger(url: URL, timeoutMs: number): Promise<TriggerAnswer> {
	let response: Response;
	try {
		response = await fetch(url, {method: 'POST', signal: AbortSignal.timeout(timeoutMs)});
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		throw new RunError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}; is "sse-tui serve" running there?`);
	}

	const text = await response.text();
	if (!response.ok) {
		throw new RunError(`POST ${url.toString()} answered ${response.status}: ${text.slice(0, 200).trim()}`);
	}

	try {
		return JSON.parse(text) as TriggerAnswer;
	} catch {
		throw new RunError(`POST ${url.toString()} answered ${response.status} but not with JSON; is that a trigger endpoint?`);
	}
}

/** Without --rate, one request for all N (the server batches); with it, one request per update. */
async function publishViaHttp(options: PublishOptions & {target: {kind: 'http'}}, stdout: Writable, stop: AbortSignal): Promise<Tally> {
	const result = tally();
	const started = performance.now();
	const requests = options.rate > 0 ? options.count : 1;
	const perRequest = options.rate > 0 ? 1 : options.count;
	const notes = new Set<string>();
	for (let index = 0; index < requests && !stop.aborted; index++) {
		if (options.rate > 0) {
			await sleepUntil(started + (index / options.rate) * 1000, stop);
			if (stop.aborted) {
				break;
			}
		}

		const url = new URL(options.target.url);
		url.searchParams.set('count', String(perRequest));
		url.searchParams.set('pad', String(options.padBytes));
		const answer = await postTrigger(url, options.timeoutMs);
		if (answer.fallback) {
			notes.add(answer.fallback);
		}

		// A server with Redis says what PUBLISH reported; one without counts its own deliveries.
		const receivers = answer.redis?.receivers;
		const published = answer.redis?.published ?? 0;
		if (receivers && published > 0) {
			result.sent += published;
			result.total += receivers.total;
			result.min = Math.min(result.min, receivers.min);
			result.max = Math.max(result.max, receivers.max);
		}

		const local = perRequest - published;
		if (local > 0) {
			const each = Math.round((answer.deliveries ?? 0) / local);
			result.sent += local;
			result.total += answer.deliveries ?? 0;
			result.min = Math.min(result.min, each);
			result.max = Math.max(result.max, each);
		}

		if (options.count <= perLineLimit && options.rate > 0) {
			stdout.write(`#${index + 1} -> ${answer.via ?? 'local'}\n`);
		}
	}

	const via = options.target.url;
	stdout.write(summary(result, via, performance.now() - started, 'receivers (instances via Redis, else clients)') + '\n');
	for (const note of notes) {
		stdout.write(`note: ${note}\n`);
	}

	return result;
}

export type PublishIo = {env?: NodeJS.ProcessEnv; stdout?: Writable; stderr?: Writable; stop?: AbortSignal};

/**
 * `sse-tui publish`: returns the exit code; usage mistakes throw UsageError (exit 2), an
 * unreachable Redis or endpoint throws RunError (exit 1), for the caller to print.
 */
export async function runPublishCommand(argv: string[], io: PublishIo = {}): Promise<number> {
	const stdout = io.stdout ?? process.stdout;
	checkArguments(argv, Object.keys(flags), 'sse-tui publish');
	let cli;
	try {
		cli = meow(help, {
			importMeta: import.meta,
			argv,
			flags,
			allowUnknownFlags: false,
			autoHelp: false,
			autoVersion: false,
			description: false,
			booleanDefault: undefined,
		});
	} catch (error) {
		throw new UsageError(`${String((error as Error).message).split('\n')[0]} See "sse-tui publish --help".`);
	}

	const cliFlags = cli.flags as PublishFlags;
	if (cliFlags.help) {
		stdout.write(cli.help.trimStart() + '\n');
		return 0;
	}

	const options = resolvePublishOptions(cliFlags, cli.input, io.env ?? process.env);
	const controller = new AbortController();
	const stop = io.stop ?? controller.signal;
	const onSignal = (): void => {
		controller.abort();
	};

	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		if (options.target.kind === 'http') {
			await publishViaHttp(options as PublishOptions & {target: {kind: 'http'}}, stdout, stop);
		} else {
			await publishViaRedis(options as PublishOptions & {target: {kind: 'redis'}}, stdout, stop);
		}
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}

	return stop.aborted ? 130 : 0;
}
