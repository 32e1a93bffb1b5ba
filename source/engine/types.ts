import type {StreamOutcome} from './request-stream.js';

/**
 * What every client engine (SSE, ActionCable, raw WebSocket) reports. Engines call
 * `ClientSink.emit` synchronously; the metrics store bumps counters and the optional
 * NDJSON log serialises the same objects, so the engine never knows who listens.
 */

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

export const clientStates: readonly ClientState[] = ['idle', 'connecting', 'open', 'reconnecting', 'closed', 'failed'];

/** Why a client counted an error; one counter per kind in the summary. */
export type ErrorKind =
	| 'connect' // refused, reset, DNS, TLS: no HTTP response at all
	| 'timeout' // no response headers (or no WebSocket upgrade) within --timeout
	| 'status' // an HTTP status that is not 200 (or 204/redirect)
	| 'content-type' // 200 but not text/event-stream
	| 'stream' // the body or socket failed after it opened
	| 'too-large' // a line or event passed --max-event-size
	| 'protocol' // a frame we could not understand (WebSocket/ActionCable)
	| 'rejected' // ActionCable reject_subscription or an unauthorized disconnect
	| 'stale'; // heartbeats stopped arriving

export type ClientEvent =
	// request streams add `request` (this client's request number) and `fresh` (the next request after a completed stream, not a reconnect)
	| {kind: 'connecting'; client: number; attempt: number; request?: number; fresh?: boolean}
	| {kind: 'open'; client: number; status: number; connectMs: number; url: string; request?: number}
	| {kind: 'event'; client: number; type: string; data: string; id: string; bytes: number; latencyMs?: number}
	| {kind: 'comment'; client: number; text: string}
	| {kind: 'heartbeat'; client: number; source: string}
	| {kind: 'retry'; client: number; retryMs: number}
	| {kind: 'error'; client: number; error: ErrorKind; message: string; status?: number}
	| {kind: 'reconnect'; client: number; delayMs: number; attempt: number; lastEventId: string}
	| {kind: 'close'; client: number; reason: string; final: boolean; failed?: boolean; request?: number}
	| {kind: 'welcome'; client: number}
	| {kind: 'confirm'; client: number; identifier: string}
	| {kind: 'reject'; client: number; identifier: string}
	| {kind: 'disconnect'; client: number; reason: string; reconnect: boolean}
	// The end of one request stream (--method, --body, --until-data …; source/engine/request-stream.ts).
	| {kind: 'stream'; client: number; request: number; outcome: StreamOutcome; events: number; ttfeMs: number | null; durationMs: number}
	// Delivery findings, made by the metrics store from the sequence numbers of what arrived.
	| {kind: 'gap'; client: number; from: number; to: number; count: number}
	| {kind: 'reset'; client: number; from: number; to: number};

export type ClientSink = {
	emit(event: ClientEvent): void;
	/** Raw bytes received, counted per read so the store sees throughput without an event per chunk. */
	bytes(client: number, count: number): void;
	/**
	 * A remark about the server rather than one client (it chose no subprotocol, it asked for a
	 * retry below the floor). Every client may send the same text; the run shows it once.
	 */
	note?(text: string): void;
};

/** A single connection that keeps itself alive until stopped. */
export type Client = {
	readonly id: number;
	/** Start connecting; resolves when the client has ended for good (stopped, 204, disconnect without reconnect). */
	start(): Promise<void>;
	/** Close for good (no reconnect); resolves once the socket is gone. */
	stop(): Promise<void>;
	/**
	 * Drop an open connection as a network failure would, then reconnect as after any drop (the
	 * reconnection time, then backoff with jitter while attempts fail). Nothing happens while the
	 * client is not open. The storm scenario (source/shapes/) drops every client at once.
	 */
	drop(): void;
};
