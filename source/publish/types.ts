import type {Tally} from './tally.js';

/** Where messages go: a Redis channel (PUBLISH), or a reference server's trigger endpoint (POST). */
/** `token`: sent as `Authorization: Bearer` to a trigger of `sse-tui serve --token`. */
export type PublishTarget = {readonly kind: 'redis'; readonly url: string; readonly channel: string} | {readonly kind: 'http'; readonly url: string; readonly token?: string | undefined};

export type OpenPublisherOptions = {
	/** Redis: connect + ready deadline. HTTP: the deadline of each trigger request. */
	readonly timeoutMs: number;
};

/** How a message travelled: Redis always says 'redis'; a trigger says what its server did. */
export type PublishedVia = 'redis' | 'local' | 'redis+local';

export type PublishSequenceOptions = {
	/** How many messages, numbered firstSeq, firstSeq + 1, ... */
	readonly count: number;
	/** Sequence number of the first message (whole, >= 1). Default 1. */
	readonly firstSeq?: number;
	/** Messages per second; 0 = as fast as possible (Redis: pipelined; HTTP: one request for all). */
	readonly rate: number;
	/** Stops before the next message (or burst) once aborted; what is in flight still completes. */
	readonly stop?: AbortSignal;
	/** Tags every test update with `"run": run` (Redis: through the default message; HTTP: `run=` and `seq=` on the trigger). */
	readonly run?: string | undefined;
	/** A `pad` of this many x's in every test update (Redis: through the default message; HTTP: `pad=`). Default 0. */
	readonly padBytes?: number;
	/**
	 * Redis only: the JSON text of message `seq`. Default: broadcastMessage(seq, run, padBytes).
	 * Ignored over HTTP, where the server builds the updates.
	 */
	readonly message?: (seq: number) => string;
	/**
	 * Called once per message, in seq order, once Redis replied to its PUBLISH / once the trigger
	 * answered. sentAtMs is Date.now() when the message was built and handed over (Redis), or when
	 * the request carrying it was sent (HTTP). receivers: Redis' PUBLISH reply (subscribed
	 * connections: one per `sse-tui serve --redis` instance); over HTTP, the receivers the trigger
	 * reported (instances via Redis, else the server's own clients), the request's mean when one
	 * request carried many messages.
	 */
	readonly onPublished?: (seq: number, sentAtMs: number, receivers: number, via: PublishedVia) => void;
};

/** What a sequence did: messages published and their receivers (exact totals, min and max). */
export type PublishResult = Tally & {
	/** HTTP: the trigger's explanations, e.g. that Redis was down and updates went local only. */
	readonly notes: readonly string[];
};

export type Publisher = {
	readonly target: PublishTarget;
	/** One sequence at a time per publisher; resolves when all were published or `stop` aborted. Throws RunError if publishing fails. */
	publishSequence(options: PublishSequenceOptions): Promise<PublishResult>;
	/** Closes the Redis connection (nothing for HTTP). Idempotent. */
	close(): Promise<void>;
};
