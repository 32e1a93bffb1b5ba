import type {RedisState} from './redis-state.js';

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
