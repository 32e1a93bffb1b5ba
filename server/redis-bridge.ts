import {createHash, randomBytes} from 'node:crypto';
import {Redis, type RedisOptions} from 'ioredis';
import type {Logger} from './logger.js';
import {redactRedisUrl} from './redis-url.js';

/**
 * `connecting` until the first attempt ends; `connected` while both connections are up and
 * the subscription is confirmed; `reconnecting` while ioredis retries (Redis unreachable at
 * start, or lost mid-run); `down` once the bridge is closed.
 */
export type RedisState = 'connecting' | 'connected' | 'reconnecting' | 'down';

export type RedisStats = {
	state: RedisState;
	/** The URL with any password replaced by `***`. */
	url: string;
	channels: readonly string[];
	streamKey: string | undefined;
	/** Part of both connections' CLIENT SETNAME, to find them in CLIENT LIST. */
	instance: string;
	/** Messages received on the subscribed channels. */
	messagesReceived: number;
	/** Messages this process published (trigger-test, the --interval ticker). */
	published: number;
	publishFailures: number;
	/** Received messages delivered with a local id because the stream could not be written. */
	localIds: number;
	/** Times the connection came back after being lost. */
	reconnects: number;
	/** Connection attempts that were retries. */
	retries: number;
	lastError: string | undefined;
	/** When the current state began (ISO time). */
	since: string;
};

export type RedisMessage = {
	/** The stream id, or undefined when the stream is off or could not be written. */
	readonly id: string | undefined;
	/** The message as JSON: a non-JSON message arrives as a JSON string. */
	readonly json: string;
	readonly channel: string;
};

export type RedisBridgeOptions = {
	url: string;
	channel: string;
	/** ActionCable's redis adapter channel_prefix: also subscribe `<prefix>:<channel>`. */
	cablePrefix: string | undefined;
	/** MAXLEN of the replay stream; 0 keeps no stream. */
	replay: number;
	logger: Logger;
	onMessage(message: RedisMessage): void;
	/** Cap of the reconnect backoff. */
	maxBackoffMs?: number;
	connectTimeoutMs?: number;
};

/**
 * How long the bookkeeping that maps a received message to its stream entry is kept. It must
 * exceed how far one instance can lag behind another in reading the channel.
 */
const dedupeWindowMs = 10_000;
/** Longest wait for a Redis reply before a message is delivered with a local id instead. */
const commandTimeoutMs = 2000;

/**
 * Every instance runs this for every message it receives, so a message becomes exactly one
 * stream entry whichever instance gets there first, and all of them deliver it with that id.
 *
 * Messages are known by a hash of channel + payload (KEYS[2], a sorted set of the entries
 * made for that payload, ids zero-padded so they sort as text). Byte-identical repeats are
 * told apart by a cursor per instance and subscription (KEYS[3]): an instance takes the first
 * entry after the last one it took, or makes a new one. A fresh subscription starts after
 * everything made before it began (ARGV[4], Redis time when it subscribed): those messages
 * were published before it listened and will never reach it. Ids stay in publish order: an
 * instance sends its scripts in the order it received the messages, so the first run for
 * message n precedes the first run for n + 1.
 */
const ingestScript = `
local cursor = redis.call('HGET', KEYS[3], ARGV[3]) or string.format('%015d-', tonumber(ARGV[4]))
local taken = redis.call('ZRANGEBYLEX', KEYS[2], '(' .. cursor, '+', 'LIMIT', 0, 1)[1]
local id
if taken then
	local ms, seq = string.match(taken, '^(%d+)-(%d+)$')
	id = string.format('%d-%d', tonumber(ms), tonumber(seq))
else
	id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'data', ARGV[1])
	local ms, seq = string.match(id, '^(%d+)-(%d+)$')
	taken = string.format('%015d-%015d', tonumber(ms), tonumber(seq))
	redis.call('ZADD', KEYS[2], 0, taken)
end
redis.call('HSET', KEYS[3], ARGV[3], taken)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return id
`;

type StreamEntry = [id: string, fields: string[]];
type IngestingRedis = Redis & {
	sseTuiIngest(stream: string, entries: string, cursors: string, data: string, maxLength: number, cursor: string, subscribedAtMs: number, windowMs: number): Promise<string>;
};

/** The stream holding the SSE replay buffer for a channel. */
export function replayStreamKey(channel: string): string {
	return `sse-tui:replay:${channel}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		promise,
		new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no reply from Redis within ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}

/** Text that is not JSON is passed on as a JSON string, so every subscriber still gets valid JSON. */
export function asJson(message: string): string {
	try {
		JSON.parse(message);
		return message;
	} catch {
		return JSON.stringify(message);
	}
}

/**
 * The one Redis subscription of a server process (issue 6), plus one connection for commands:
 * publishing, the replay stream, the ticker lease. Two connections whatever the client count.
 * Neither queues commands while disconnected: a caller learns at once that Redis is not there
 * and falls back to local delivery.
 */
export class RedisBridge {
	readonly channels: readonly string[];
	readonly streamKey: string | undefined;
	readonly instance = `${process.pid}-${randomBytes(3).toString('hex')}`;
	private readonly sub: Redis;
	private readonly pub: IngestingRedis;
	private readonly redactedUrl: string;
	private subscribed = false;
	private everConnected = false;
	private failedOnce = false;
	private closed = false;
	private lastState: RedisState = 'connecting';
	private stateSince = new Date();
	private readonly counts = {messagesReceived: 0, published: 0, publishFailures: 0, localIds: 0, reconnects: 0, retries: 0};
	private lastError: string | undefined;
	/** Deliveries wait here in arrival order while their stream ids come back. */
	private tail: Promise<void> = Promise.resolve();
	/** Names this subscription in the ingest cursors; see ingestScript. */
	private subscription = {epoch: 0, startedAtMs: 0};
	private readonly waiters = new Set<() => void>();

	constructor(private readonly options: RedisBridgeOptions) {
		this.channels = options.cablePrefix === undefined ? [options.channel] : [options.channel, `${options.cablePrefix}:${options.channel}`];
		this.streamKey = options.replay > 0 ? replayStreamKey(options.channel) : undefined;
		this.redactedUrl = redactRedisUrl(options.url);
		const maxBackoff = options.maxBackoffMs ?? 2000;
		const common: RedisOptions = {
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
		this.sub = new Redis(options.url, {...common, connectionName: `sse-tui-serve:${this.instance}:sub`});
		this.pub = new Redis(options.url, {...common, connectionName: `sse-tui-serve:${this.instance}:pub`}) as IngestingRedis;
		this.pub.defineCommand('sseTuiIngest', {numberOfKeys: 3, lua: ingestScript});

		for (const [role, connection] of [['sub', this.sub], ['pub', this.pub]] as const) {
			connection.on('error', (error: Error) => {
				this.lastError = error.message;
				this.options.logger.debug('redis error', {connection: role, error: error.message});
			});
			connection.on('reconnecting', () => {
				this.counts.retries++;
				this.failedOnce = true;
				this.update();
			});
			connection.on('close', () => {
				if (role === 'sub') {
					this.subscribed = false;
				}

				this.update();
			});
			connection.on('end', () => {
				this.update();
			});
		}

		this.pub.on('ready', () => {
			this.update();
		});
		this.sub.on('ready', () => {
			// Redis time before subscribing: entries made earlier are for messages we cannot receive.
			this.sub
				.time()
				.then(([seconds, micros]) => {
					this.subscription = {epoch: this.subscription.epoch + 1, startedAtMs: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)};
					return this.sub.subscribe(...this.channels);
				})
				.then(
				() => {
					this.subscribed = true;
					this.update();
				},
				(error: unknown) => {
					this.lastError = String(error);
					this.options.logger.warn('redis subscribe failed', {error: String(error)});
				},
			);
		});
		this.sub.on('message', (channel: string, message: string) => {
			this.receive(channel, message);
		});
	}

	/** Starts connecting; never rejects (an unreachable Redis is retried in the background). */
	start(): void {
		this.sub.connect().catch(() => {});
		this.pub.connect().catch(() => {});
	}

	/** Resolves true once connected, false if that has not happened within `timeoutMs`. */
	async ready(timeoutMs: number): Promise<boolean> {
		if (this.state === 'connected') {
			return true;
		}

		return new Promise<boolean>(resolve => {
			const done = (): void => {
				clearTimeout(timer);
				this.waiters.delete(done);
				resolve(this.state === 'connected');
			};

			const timer = setTimeout(done, timeoutMs);
			this.waiters.add(done);
		});
	}

	get state(): RedisState {
		if (this.closed) {
			return 'down';
		}

		if (this.subscribed && this.pub.status === 'ready') {
			return 'connected';
		}

		return this.everConnected || this.failedOnce ? 'reconnecting' : 'connecting';
	}

	/** True when a publish would reach every instance, this one included. */
	get available(): boolean {
		return this.state === 'connected';
	}

	stats(): RedisStats {
		return {
			state: this.state,
			url: this.redactedUrl,
			channels: this.channels,
			streamKey: this.streamKey,
			instance: this.instance,
			...this.counts,
			lastError: this.lastError,
			since: this.stateSince.toISOString(),
		};
	}

	/** PUBLISH on the main channel; resolves with the number of subscribers Redis reported. */
	async publish(json: string): Promise<number> {
		try {
			const receivers = await withTimeout(this.pub.publish(this.options.channel, json), commandTimeoutMs, 'PUBLISH');
			this.counts.published++;
			return receivers;
		} catch (error) {
			this.counts.publishFailures++;
			throw error;
		}
	}

	/** SET key NX PX: true when this instance holds `key` for the next `ms`. */
	async lease(key: string, ms: number): Promise<boolean> {
		return (await withTimeout(this.pub.set(key, this.instance, 'PX', ms, 'NX'), commandTimeoutMs, 'SET NX')) === 'OK';
	}

	/** Stream entries after `id` plus the oldest and newest ids held (for gap detection). */
	async streamSince(id: string): Promise<{first: string | undefined; last: string | undefined; entries: Array<{id: string; data: string}>}> {
		const key = this.requireStream();
		const replies = await withTimeout(
			this.pub
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
	async streamLatest(count: number): Promise<Array<{id: string; data: string}>> {
		const key = this.requireStream();
		const entries = (await withTimeout(this.pub.xrevrange(key, '+', '-', 'COUNT', count), commandTimeoutMs, 'XREVRANGE')) as StreamEntry[];
		return entries.map(entryOf).reverse();
	}

	close(): void {
		if (this.closed) {
			return;
		}

		this.closed = true;
		this.sub.disconnect();
		this.pub.disconnect();
		this.update();
	}

	private requireStream(): string {
		if (this.streamKey === undefined) {
			throw new Error('the replay stream is off (--replay 0)');
		}

		return this.streamKey;
	}

	private receive(channel: string, message: string): void {
		this.counts.messagesReceived++;
		const json = asJson(message);
		const id = this.ingest(channel, message, json);
		this.tail = this.tail
			.then(async () => id)
			.then(streamId => {
				if (!this.closed) {
					this.options.onMessage({id: streamId, json, channel});
				}
			})
			.catch((error: unknown) => {
				this.options.logger.error('redis message delivery failed', {error: String(error)});
			});
	}

	/** The message's stream id; undefined (deliver with a local id) when the stream is off or unreachable. */
	private async ingest(channel: string, message: string, json: string): Promise<string | undefined> {
		if (this.streamKey === undefined) {
			return undefined;
		}

		const hash = createHash('sha1').update(channel).update('\n').update(message).digest('hex');
		const {epoch, startedAtMs} = this.subscription;
		try {
			return await withTimeout(
				this.pub.sseTuiIngest(
					this.streamKey,
					`${this.streamKey}:seen:${hash}`,
					`${this.streamKey}:cursor:${hash}`,
					json,
					this.options.replay,
					`${this.instance}:${epoch}`,
					startedAtMs,
					dedupeWindowMs,
				),
				commandTimeoutMs,
				'XADD',
			);
		} catch (error) {
			this.counts.localIds++;
			this.lastError = (error as Error).message;
			this.options.logger.debug('redis stream write failed; local id', {error: (error as Error).message});
			return undefined;
		}
	}

	/** Notes state changes: logs them once (not every retry), counts reconnects, wakes ready(). */
	private update(): void {
		const state = this.state;
		if (state === this.lastState) {
			return;
		}

		const previous = this.lastState;
		this.lastState = state;
		this.stateSince = new Date();
		const {logger} = this.options;
		if (state === 'connected') {
			if (this.everConnected) {
				this.counts.reconnects++;
				logger.info('redis reconnected; fan-out resumed', {url: this.redactedUrl});
			} else {
				logger.info('redis connected', {url: this.redactedUrl, channels: this.channels.join(',')});
			}

			this.everConnected = true;
		} else if (state === 'reconnecting') {
			logger.warn(previous === 'connected' ? 'redis connection lost; delivering locally while reconnecting' : 'redis unreachable; delivering locally while retrying', {
				url: this.redactedUrl,
				error: this.lastError,
			});
		}

		for (const wake of [...this.waiters]) {
			wake();
		}
	}
}

function entryOf([id, fields]: StreamEntry): {id: string; data: string} {
	const index = fields.indexOf('data');
	return {id, data: index === -1 ? 'null' : (fields[index + 1] ?? 'null')};
}
