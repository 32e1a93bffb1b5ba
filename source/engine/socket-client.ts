import type WebSocket from 'ws';
import {reconnectDelay} from './backoff.js';
import type {BufferBudget} from './buffer-budget.js';
import {AttemptError, ClientSocket, describe, describeClose, type Outcome, type SocketConfig} from './socket-attempt.js';
import type {Client, ClientSink, ErrorKind} from './types.js';

export type {ClientSocket} from './socket-attempt.js';

/** What every WebSocket engine (raw and ActionCable) is configured with. */
export type SocketClientOptions = {
	id: number;
	/** ws:// or wss:// */
	url: string;
	headers: Readonly<Record<string, string>>;
	/** the Origin header; undefined sends none (ActionCable then refuses the upgrade unless told not to check) */
	origin: string | undefined;
	/** offered as is; [] offers none (a server that picks none is accepted either way) */
	subprotocols: string[];
	sink: ClientSink;
	/** no upgrade within this long counts as a `timeout` error */
	timeoutMs: number;
	/** wait after an open connection ended before reconnecting; the backoff base while attempts fail */
	retryMs: number;
	maxBackoffMs: number;
	/** a larger message closes the connection (1009) and counts as `too-large` */
	maxPayload: number;
	/** offer permessage-deflate; measured at ~52 µs per message against 1-10 µs without */
	compression: boolean;
	/** accept any TLS certificate */
	insecure: boolean;
	/** bind the socket to this source address (--local-address) */
	localAddress?: string | undefined;
	/** the run's budget for partial messages across clients (--max-buffered); none: only maxPayload */
	budget?: BufferBudget | undefined;
};

// The configs of the latest runs; several at once only with --local-address (one per address).
const recentConfigs: SocketConfig[] = [];
const maxRecentConfigs = 16;

function sharedConfig(o: SocketClientOptions, subprotocols: readonly string[]): SocketConfig {
	for (const c of recentConfigs) {
		if (c.url === o.url && c.headers === o.headers && c.origin === o.origin && c.subprotocols === subprotocols && c.sink === o.sink
			&& c.timeoutMs === o.timeoutMs && c.retryMs === o.retryMs && c.maxBackoffMs === o.maxBackoffMs && c.maxPayload === o.maxPayload
			&& c.compression === o.compression && c.insecure === o.insecure && c.localAddress === o.localAddress && c.budget === o.budget) {
			return c;
		}
	}

	const config: SocketConfig = Object.freeze({
		url: o.url, headers: o.headers, origin: o.origin, subprotocols, sink: o.sink, timeoutMs: o.timeoutMs, retryMs: o.retryMs,
		maxBackoffMs: o.maxBackoffMs, maxPayload: o.maxPayload, compression: o.compression, insecure: o.insecure, localAddress: o.localAddress,
		budget: o.budget,
		address: parsedAddress(o.url),
		wsOptions: wsOptions(o, subprotocols),
	});
	recentConfigs.unshift(config);
	recentConfigs.length = Math.min(recentConfigs.length, maxRecentConfigs);
	return config;
}

/**
 * The URL parsed once for every connection of the run: ws parses a string address anew per
 * connection and keeps its own copy of the href; given a URL it uses that, and its href string,
 * as is. An address that does not parse stays a string, so ws still reports it, at connect time.
 */
function parsedAddress(url: string): URL | string {
	try {
		return new URL(url);
	} catch {
		return url;
	}
}

/**
 * Only the options that differ from ws's and Node's defaults. ws spreads them into its request
 * options, which http and net copy again for every connection: one key more than ws sets itself
 * (`rejectUnauthorized: true`, the default anyway) made net.Socket's copy 2.8 KB bigger per
 * connection (sampling heap profiler), garbage that a ramp of thousands of connections partly
 * promotes to the old space. ws copies these into its own options; it never writes to them.
 */
function wsOptions(o: SocketClientOptions, subprotocols: readonly string[]): WebSocket.ClientOptions {
	const options: WebSocket.ClientOptions = {perMessageDeflate: o.compression, maxPayload: o.maxPayload};
	if (o.origin !== undefined) {
		options.origin = o.origin;
	}

	// The offer goes in as a header, not as ws's protocols argument: ws would then refuse a server
	// that picks none (the seeds' Go server does; browsers refuse it too, but a load test should still run). ClientSocket checks the answer.
	const headers: Record<string, string> = subprotocols.length > 0 ? {...o.headers, 'sec-websocket-protocol': subprotocols.join(',')} : o.headers as Record<string, string>;
	if (Object.keys(headers).length > 0) {
		options.headers = headers;
	}

	if (o.localAddress !== undefined) {
		options.localAddress = o.localAddress;
	}

	if (o.insecure) {
		// The default (true) needs no key; `wss://` verifies certificates unless told not to.
		options.rejectUnauthorized = false;
	}

	return Object.freeze(options);
}

function reconnectNow(client: SocketClient): void {
	client.connect();
}

/**
 * A WebSocket connection that keeps itself alive, the base of the raw and ActionCable engines: it
 * reports the upgrade, handshake failures (with the HTTP status and a body snippet) and closes,
 * reconnects after `retryMs` when an open connection ends and backs off exponentially while
 * attempts fail, and on stop() closes with 1000. Subclasses run the protocol on each connection.
 *
 * A state machine driven by socket events rather than an async loop: a suspended loop holds a
 * generator, its promises and a closure per listener for every held connection (~2 KB of the
 * ~6 KB heap a cable client cost); here a client is this object and its socket.
 */
export abstract class SocketClient implements Client {
	readonly config: SocketConfig;
	/** the open (or opening) connection's socket */
	protected socket: ClientSocket | undefined = undefined;
	private stopped = false;
	private attempts = 0;
	private failures = 0;
	private sleepTimer: NodeJS.Timeout | undefined = undefined;
	private running: Promise<void> | undefined = undefined;
	private resolveEnd: (() => void) | undefined = undefined;

	constructor(readonly id: number, options: SocketClientOptions, subprotocols: readonly string[] = options.subprotocols) {
		this.config = sharedConfig(options, subprotocols);
	}

	/** The connection is open: start the protocol. */
	abstract opened(socket: ClientSocket): void;
	/** Every text or binary message; its byte count has been reported already. */
	abstract received(data: Buffer, isBinary: boolean): void;
	/** A ping or pong control frame arrived (ws answers pings itself). */
	control(_data: Buffer, _kind: 'ping' | 'pong'): void {
		// Not counted unless the protocol says so.
	}

	/** The socket is gone: clear the protocol's timers. */
	protected abstract closed(): void;

	start(): Promise<void> {
		if (this.running === undefined) {
			this.running = new Promise(resolve => {
				this.resolveEnd = resolve;
			});
			this.connect();
		}

		return this.running;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.sleepTimer !== undefined) {
			clearTimeout(this.sleepTimer);
			this.sleepTimer = undefined;
			this.end('stopped');
		}

		this.socket?.closeGracefully(1000, 'client stopped');
		await this.running;
	}

	drop(): void {
		const {socket} = this;
		if (!this.stopped && socket?.opened) {
			socket.ending ??= {reason: 'dropped by the client (storm)', final: false};
			socket.terminate();
		}
	}

	/** Drop the connection for an error, which is reported once the socket is gone; then reconnect. */
	protected fail(kind: ErrorKind, message: string): void {
		this.socket?.fail(kind, message);
	}

	/** Close at the server's request (ActionCable `disconnect`): reconnect, or with `final` stop for good. */
	protected finish(reason: string, final: boolean, failed?: boolean): void {
		if (this.socket) {
			this.socket.ending ??= {reason, final, failed};
			this.socket.closeGracefully(1000, '');
		}
	}

	/** @internal the next attempt (from start() or the backoff timer) */
	connect(): void {
		this.sleepTimer = undefined;
		if (this.stopped) {
			this.end('stopped');
			return;
		}

		this.attempts++;
		this.config.sink.emit({kind: 'connecting', client: this.id, attempt: this.attempts});
		try {
			this.socket = new ClientSocket(this, this.config);
		} catch (error) {
			// An invalid URL never gets better: fail this client for good.
			this.attemptFailed(new AttemptError('connect', describe(error), {final: true}));
		}
	}

	/** @internal ws's 'close': settle the attempt as the async loop's `await attempt()` did. */
	socketClosed(socket: ClientSocket, code: number, reason: string): void {
		this.socket = undefined;
		if (socket.opened) {
			this.closed();
		}

		const closed = describeClose(code, reason);
		const {failure} = socket;
		if (this.stopped) {
			this.end(`stopped (${closed})`);
		} else if (socket.ending) {
			// Our own drop (storm) or the server's disconnect with reconnect: after `retry`, as always.
			this.attemptEnded(socket.ending, true);
		} else if (failure) {
			this.attemptFailed(socket.opened ? new AttemptError(failure.kind, `${failure.message} (${closed})`, failure.options) : failure, socket.delivered);
		} else if (!socket.opened) {
			this.attemptFailed(new AttemptError('connect', `closed before the upgrade completed (${closed})`));
		} else if (code === 1000 || code === 1001) {
			this.attemptEnded({reason: `closed by server (${closed})`, final: false}, socket.delivered);
		} else {
			this.attemptFailed(new AttemptError('stream', `closed by server (${closed})`, {opened: true}), socket.delivered);
		}
	}

	/** `delivered`: the connection brought something; one that closed before it did backs off as a failed attempt would. */
	private attemptEnded(outcome: Outcome, delivered: boolean): void {
		const {sink} = this.config;
		sink.emit({kind: 'close', client: this.id, reason: outcome.reason, final: outcome.final, ...(outcome.failed ? {failed: true} : {})});
		if (outcome.final) {
			this.resolveEnd?.();
			return;
		}

		this.failures = delivered ? 0 : this.failures + 1;
		this.reconnectLater();
	}

	private attemptFailed(failure: AttemptError, delivered = false): void {
		if (this.stopped) {
			this.end('stopped');
			return;
		}

		const {sink} = this.config;
		// A connection that opened, delivered and then broke waits retryMs, like a clean close.
		this.failures = failure.options.opened && delivered ? 0 : this.failures + 1;
		const {status} = failure.options;
		sink.emit({kind: 'error', client: this.id, error: failure.kind, message: failure.message, ...(status === undefined ? {} : {status})});
		if (failure.options.final) {
			sink.emit({kind: 'close', client: this.id, reason: failure.message, final: true, failed: true});
			this.resolveEnd?.();
			return;
		}

		this.reconnectLater();
	}

	private reconnectLater(): void {
		const {retryMs, maxBackoffMs} = this.config;
		const delayMs = reconnectDelay(this.failures, retryMs, maxBackoffMs);
		this.config.sink.emit({kind: 'reconnect', client: this.id, delayMs, attempt: this.attempts + 1, lastEventId: ''});
		this.sleepTimer = setTimeout(reconnectNow, delayMs, this);
	}

	private end(reason: string): void {
		this.config.sink.emit({kind: 'close', client: this.id, reason, final: true});
		this.resolveEnd?.();
	}
}
