import {randomBytes} from 'node:crypto';
import {Redis} from 'ioredis';
import type {Logger} from './logger.js';
import type {ServerOptions} from './options.js';
import {commandTimeoutMs, withTimeout} from './redis-command.js';
import {connectionOptions} from './redis-connection.js';
import {asJson, ingestMessage, replayStreamKey, withIngestCommand, type IngestingRedis} from './redis-ingest.js';
import {RedisStateMachine, type RedisState} from './redis-state.js';
import type {RedisStats} from './redis-stats.js';
import {readStreamLatest, readStreamSince} from './redis-stream.js';
import {redactRedisUrl} from '../source/redis-url.js';

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
	private readonly status: RedisStateMachine;
	private readonly counts = {messagesReceived: 0, published: 0, publishFailures: 0, localIds: 0, retries: 0};
	/** Deliveries wait here in arrival order while their stream ids come back. */
	private tail: Promise<void> = Promise.resolve();
	/** Names this subscription in the ingest cursors; see ingestScript in redis-ingest.ts. */
	private subscription = {epoch: 0, startedAtMs: 0};

	constructor(private readonly options: RedisBridgeOptions) {
		this.channels = options.cablePrefix === undefined ? [options.channel] : [options.channel, `${options.cablePrefix}:${options.channel}`];
		this.streamKey = options.replay > 0 ? replayStreamKey(options.channel) : undefined;
		this.redactedUrl = redactRedisUrl(options.url);
		this.status = new RedisStateMachine(() => this.pub.status === 'ready', options.logger, {url: this.redactedUrl, channels: this.channels});
		const common = connectionOptions(options);
		this.sub = new Redis(options.url, {...common, connectionName: `sse-tui-serve:${this.instance}:sub`});
		this.pub = withIngestCommand(new Redis(options.url, {...common, connectionName: `sse-tui-serve:${this.instance}:pub`}));

		for (const [role, connection] of [['sub', this.sub], ['pub', this.pub]] as const) {
			connection.on('error', (error: Error) => {
				this.status.lastError = error.message;
				this.options.logger.debug('redis error', {connection: role, error: error.message});
			});
			connection.on('reconnecting', () => {
				this.counts.retries++;
				this.status.failedOnce = true;
				this.status.update();
			});
			connection.on('close', () => {
				if (role === 'sub') {
					this.status.subscribed = false;
				}

				this.status.update();
			});
			connection.on('end', () => {
				this.status.update();
			});
		}

		this.pub.on('ready', () => {
			this.status.update();
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
					this.status.subscribed = true;
					this.status.update();
				},
				(error: unknown) => {
					this.status.lastError = String(error);
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
		return this.status.ready(timeoutMs);
	}

	get state(): RedisState {
		return this.status.state;
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
			messagesReceived: this.counts.messagesReceived,
			published: this.counts.published,
			publishFailures: this.counts.publishFailures,
			localIds: this.counts.localIds,
			reconnects: this.status.reconnects,
			retries: this.counts.retries,
			lastError: this.status.lastError,
			since: this.status.since.toISOString(),
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
		return readStreamSince(this.pub, this.requireStream(), id);
	}

	/** The newest `count` stream entries, oldest first. */
	async streamLatest(count: number): Promise<Array<{id: string; data: string}>> {
		return readStreamLatest(this.pub, this.requireStream(), count);
	}

	close(): void {
		if (this.status.closed) {
			return;
		}

		this.status.closed = true;
		this.sub.disconnect();
		this.pub.disconnect();
		this.status.update();
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
				if (!this.status.closed) {
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

		const {epoch, startedAtMs} = this.subscription;
		try {
			return await ingestMessage(this.pub, {
				streamKey: this.streamKey,
				channel,
				message,
				json,
				maxLength: this.options.replay,
				cursor: `${this.instance}:${epoch}`,
				subscribedAtMs: startedAtMs,
			});
		} catch (error) {
			this.counts.localIds++;
			this.status.lastError = (error as Error).message;
			this.options.logger.debug('redis stream write failed; local id', {error: (error as Error).message});
			return undefined;
		}
	}
}


/** The bridge a server's options ask for (--redis and friends), or undefined without --redis. */
export function bridgeFor(options: Pick<ServerOptions, 'redisUrl' | 'redisChannel' | 'cablePrefix' | 'replay' | 'redisMaxBackoffMs'>, logger: Logger, onMessage: (message: RedisMessage) => void): RedisBridge | undefined {
	return options.redisUrl === undefined ? undefined : new RedisBridge({
		url: options.redisUrl,
		channel: options.redisChannel,
		cablePrefix: options.cablePrefix,
		replay: options.replay,
		logger,
		maxBackoffMs: options.redisMaxBackoffMs,
		onMessage,
	});
}
