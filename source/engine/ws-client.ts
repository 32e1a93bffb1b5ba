import WebSocket from 'ws';
import {reconnectDelay, sleep} from './backoff.js';
import {extractLatency} from './latency.js';
import type {Client, ClientSink, ErrorKind} from './types.js';

/** What every WebSocket engine (raw and ActionCable) is configured with. */
export type SocketClientOptions = {
	id: number;
	/** ws:// or wss:// */
	url: string;
	headers: Readonly<Record<string, string>>;
	/** the Origin header; undefined sends none (ActionCable then refuses the upgrade unless told not to check) */
	origin: string | undefined;
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
};

export type WsClientOptions = SocketClientOptions & {
	/** send a ping this often; 0 turns client pings (and dead-peer detection) off */
	pingIntervalMs: number;
	/** no pong within this long after our ping: terminate and count `stale` */
	pongTimeoutMs: number;
};

/** The open connection as a protocol session sees it. */
export type SocketConnection = {
	readonly socket: WebSocket;
	/** Drop the connection for an error, which is reported once the socket is gone; then reconnect. */
	fail(kind: ErrorKind, message: string): void;
	/** Close at the server's request (ActionCable `disconnect`): reconnect, or with `final` stop for good. */
	finish(reason: string, final: boolean, failed?: boolean): void;
};

/** One protocol's handling of one open connection. */
export type SocketSession = {
	/** Every text or binary message; its byte count has been reported already. */
	message(data: Buffer, isBinary: boolean): void;
	/** The socket is gone: clear timers. */
	closed(): void;
};

/** How long stop() (or a server's `disconnect`) waits for the closing handshake before terminate(). */
const closeGraceMs = 1000;
/** How much of a refused handshake's body goes into the error message. */
const bodySnippetLength = 200;

type Outcome = {reason: string; final: boolean; failed?: boolean};

class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly options: {status?: number; opened?: boolean; final?: boolean} = {}) {
		super(message);
	}
}

/**
 * Plain WebSocket: every text or binary frame is a message; ping and pong control frames are
 * heartbeats (PROTOCOLS.md section 3). Every received control frame counts once, labelled by
 * what it was: `ping` for the server's pings (which `ws` answers itself) and `pong` for the
 * answers to our own pings, so a server that never pings still shows a live heartbeat.
 */
export function createWsClient(options: WsClientOptions): Client {
	const {id, sink, pingIntervalMs, pongTimeoutMs} = options;
	return createSocketClient(options, connection => {
		const {socket} = connection;
		let pongTimer: NodeJS.Timeout | undefined;
		// The heartbeat recipe from the ws README: ping on an interval, terminate on a missing pong.
		const pingTimer = pingIntervalMs > 0
			? setInterval(() => {
				if (pongTimer !== undefined) {
					return;
				}

				socket.ping();
				pongTimer = setTimeout(() => {
					connection.fail('stale', `no pong within ${pongTimeoutMs}ms of our ping`);
				}, pongTimeoutMs);
			}, pingIntervalMs)
			: undefined;

		socket.on('ping', (data: Buffer) => {
			sink.bytes(id, data.length);
			sink.emit({kind: 'heartbeat', client: id, source: 'ping'});
		});
		socket.on('pong', (data: Buffer) => {
			clearTimeout(pongTimer);
			pongTimer = undefined;
			sink.bytes(id, data.length);
			sink.emit({kind: 'heartbeat', client: id, source: 'pong'});
		});

		return {
			message(data, isBinary) {
				// Binary payloads are counted, not decoded: `data` would be noise in the event log.
				const text = isBinary ? '' : data.toString();
				sink.emit({kind: 'event', client: id, type: 'message', data: text, id: '', bytes: data.length, latencyMs: isBinary ? undefined : extractLatency(text)});
			},
			closed() {
				clearInterval(pingTimer);
				clearTimeout(pongTimer);
			},
		};
	});
}

/**
 * A WebSocket connection that keeps itself alive, shared by the raw and ActionCable engines: it
 * reports the upgrade, handshake failures (with the HTTP status and a body snippet) and closes,
 * reconnects after `retryMs` when an open connection ends and backs off exponentially while
 * attempts fail, and on stop() closes with 1000. `open` runs the protocol on each connection.
 */
export function createSocketClient(
	options: SocketClientOptions,
	open: (connection: SocketConnection) => SocketSession,
	subprotocols: readonly string[] = options.subprotocols,
): Client {
	const {id, url, sink} = options;
	// No AbortController held per client: an AbortSignal is an EventTarget with two Maps, ~0.6 KB,
	// an eighth of what a held connection costs. One exists only while a backoff sleep runs, and
	// stop() reaches an open attempt through `abortAttempt`.
	let stopped = false;
	let sleeping: AbortController | undefined;
	let abortAttempt: (() => void) | undefined;
	let running: Promise<void> | undefined;

	function attempt(): Promise<Outcome> {
		return new Promise((resolve, reject) => {
			const started = performance.now();
			let socket: WebSocket;
			try {
				socket = new WebSocket(url, subprotocols as string[], {
					// ws copies the headers into its own request options; no copy needed here.
					headers: options.headers as Record<string, string>,
					origin: options.origin,
					perMessageDeflate: options.compression,
					maxPayload: options.maxPayload,
					rejectUnauthorized: !options.insecure,
				});
			} catch (error) {
				// An invalid URL never gets better: fail this client for good.
				reject(new AttemptError('connect', describe(error), {final: true}));
				return;
			}

			let upgraded = false;
			let opened = false;
			let timedOut = false;
			// Our own timer rather than ws's handshakeTimeout, which leaves a Timeout on every socket.
			let handshakeTimer: NodeJS.Timeout | undefined = setTimeout(() => {
				timedOut = true;
				socket.terminate();
			}, options.timeoutMs);
			let failure: AttemptError | undefined;
			let ending: Outcome | undefined;
			let session: SocketSession | undefined;
			let graceTimer: NodeJS.Timeout | undefined;

			const closeGracefully = (code: number, reason: string) => {
				if (socket.readyState === WebSocket.CONNECTING) {
					socket.terminate();
					return;
				}

				socket.close(code, reason);
				graceTimer ??= setTimeout(() => {
					socket.terminate();
				}, closeGraceMs);
			};

			abortAttempt = () => {
				closeGracefully(1000, 'client stopped');
			};

			const connection: SocketConnection = {
				socket,
				fail(kind, message) {
					failure ??= new AttemptError(kind, message, {opened: true});
					socket.terminate();
				},
				finish(reason, final, failed) {
					ending ??= {reason, final, failed};
					closeGracefully(1000, '');
				},
			};

			socket.on('upgrade', () => {
				upgraded = true;
			});
			socket.on('unexpected-response', (_request, response) => {
				const status = response.statusCode ?? 0;
				let body = '';
				const done = () => {
					const origin = options.origin === undefined ? 'no Origin header was sent' : `the Origin sent was ${options.origin}`;
					const text = body.trim().replaceAll(/\s+/g, ' ').slice(0, bodySnippetLength);
					failure ??= new AttemptError('status', `upgrade refused: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd()
						+ (text ? `: "${text}"` : '')
						+ (status === 403 || status === 404 ? ` (if the server checks Origin, ${origin})` : ''), {status});
					socket.terminate();
				};

				response.setEncoding('utf8');
				response.on('data', (chunk: string) => {
					body += chunk;
					if (body.length >= bodySnippetLength) {
						done();
					}
				});
				response.once('end', done);
				response.once('error', done);
			});
			socket.on('open', () => {
				clearTimeout(handshakeTimer);
				handshakeTimer = undefined;
				opened = true;
				sink.emit({kind: 'open', client: id, status: 101, connectMs: performance.now() - started, url});
				session = open(connection);
			});
			socket.on('message', (data: Buffer, isBinary: boolean) => {
				sink.bytes(id, data.length);
				session?.message(data, isBinary);
			});
			socket.on('error', error => {
				failure ??= timedOut
					? new AttemptError('timeout', `no WebSocket upgrade within ${options.timeoutMs}ms`)
					: classify(error, opened, upgraded);
			});
			socket.on('close', (code, reasonBuffer) => {
				clearTimeout(handshakeTimer);
				clearTimeout(graceTimer);
				abortAttempt = undefined;
				session?.closed();
				const closed = describeClose(code, reasonBuffer.toString());
				if (stopped) {
					resolve({reason: `stopped (${closed})`, final: true});
				} else if (ending) {
					resolve(ending);
				} else if (failure) {
					reject(opened ? new AttemptError(failure.kind, `${failure.message} (${closed})`, failure.options) : failure);
				} else if (!opened) {
					reject(new AttemptError('connect', `closed before the upgrade completed (${closed})`));
				} else if (code === 1000 || code === 1001) {
					resolve({reason: `closed by server (${closed})`, final: false});
				} else {
					reject(new AttemptError('stream', `closed by server (${closed})`, {opened: true}));
				}
			});
		});
	}

	async function loop(): Promise<void> {
		let attempts = 0;
		let failures = 0;
		let stopReason = 'stopped';
		while (!stopped) {
			attempts++;
			sink.emit({kind: 'connecting', client: id, attempt: attempts});
			try {
				// eslint-disable-next-line no-await-in-loop
				const outcome = await attempt();
				if (stopped) {
					stopReason = outcome.reason;
					break;
				}

				sink.emit({kind: 'close', client: id, reason: outcome.reason, final: outcome.final, ...(outcome.failed ? {failed: true} : {})});
				if (outcome.final) {
					return;
				}

				failures = 0;
			} catch (error) {
				if (stopped) {
					break;
				}

				const failure = error instanceof AttemptError ? error : new AttemptError('stream', describe(error), {opened: true});
				// A connection that opened and then broke waits retryMs, like a clean close.
				failures = failure.options.opened ? 0 : failures + 1;
				const {status} = failure.options;
				sink.emit({kind: 'error', client: id, error: failure.kind, message: failure.message, ...(status === undefined ? {} : {status})});
				if (failure.options.final) {
					sink.emit({kind: 'close', client: id, reason: failure.message, final: true, failed: true});
					return;
				}
			}

			if (stopped) {
				break;
			}

			const delayMs = reconnectDelay(failures, options.retryMs, options.maxBackoffMs);
			sink.emit({kind: 'reconnect', client: id, delayMs, attempt: attempts + 1, lastEventId: ''});
			sleeping = new AbortController();
			// eslint-disable-next-line no-await-in-loop
			await sleep(delayMs, sleeping.signal);
			sleeping = undefined;
		}

		sink.emit({kind: 'close', client: id, reason: stopReason, final: true});
	}

	return {
		id,
		start() {
			running ??= loop();
			return running;
		},
		async stop() {
			stopped = true;
			sleeping?.abort();
			abortAttempt?.();
			await running;
		},
	};
}

function classify(error: Error, opened: boolean, upgraded: boolean): AttemptError {
	const code = (error as {code?: string}).code;
	if (!opened) {
		// 101 came back but the handshake was wrong: bad accept key, a subprotocol we did not offer.
		return upgraded
			? new AttemptError('protocol', `invalid upgrade: ${error.message}`, {status: 101})
			: new AttemptError('connect', describe(error));
	}

	if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
		return new AttemptError('too-large', error.message, {opened: true});
	}

	// ws reports malformed frames (bad opcode, invalid UTF-8, unmasked…) with WS_ERR_* codes.
	return new AttemptError(code?.startsWith('WS_ERR_') ? 'protocol' : 'stream', describe(error), {opened: true});
}

const closeCodeNames: Record<number, string> = {
	1000: 'normal closure',
	1001: 'going away',
	1002: 'protocol error',
	1003: 'unsupported data',
	1005: 'no status',
	1006: 'abnormal closure',
	1007: 'invalid payload',
	1008: 'policy violation',
	1009: 'message too big',
	1011: 'internal error',
	1012: 'service restart',
	1013: 'try again later',
};

function describeClose(code: number, reason: string): string {
	const name = closeCodeNames[code];
	return `close ${code}${name ? ` ${name}` : ''}${reason ? `: ${reason}` : ''}`;
}

function describe(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as {code?: string}).code;
		if (error.message) {
			return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
		}

		return code ?? error.name;
	}

	return String(error);
}
