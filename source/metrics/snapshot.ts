import type {ClientState, ErrorKind} from '../engine/types.js';
import type {Percentiles} from './histogram.js';

/** Everything a reporter or the TUI needs about the run at one moment; immutable by convention. */
export type Snapshot = {
	/** ms since the run started */
	elapsedMs: number;
	/** client slots ever created (the highest client id) */
	clients: number;
	states: Record<ClientState, number>;
	totals: {
		messages: number;
		heartbeats: number;
		errors: number;
		reconnects: number;
		/** successful opens (status 200 + right content type, or WebSocket upgrade) */
		connects: number;
		/** connection attempts that ended without opening */
		failedAttempts: number;
		/** clients that opened at least once */
		clientsConnected: number;
		bytes: number;
	};
	errorsByKind: Partial<Record<ErrorKind, number>>;
	/** over the last second sampled */
	rates: {messagesPerSec: number; heartbeatsPerSec: number; bytesPerSec: number};
	/** messages per second, one entry per second, oldest first, at most 60 */
	history: readonly number[];
	connectMs: Percentiles | undefined;
	latencyMs: Percentiles | undefined;
};

/** One row of the per-client table. Times are ms since the run started, or -1 for never. */
export type ClientRow = {
	id: number;
	state: ClientState;
	messages: number;
	heartbeats: number;
	errors: number;
	reconnects: number;
	connects: number;
	bytes: number;
	lastEventId: string;
	lastMessageAt: number;
	lastHeartbeatAt: number;
	connectMs: number;
	latencyMs: number;
	lastError: string;
};
