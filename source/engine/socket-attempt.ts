import type {IncomingMessage} from 'node:http';
import type {Socket} from 'node:net';
import WebSocket from 'ws';
import type {BufferBudget, BufferHolder} from './buffer-budget.js';
import {handshakeDeadlines} from './handshake-deadlines.js';
import type {SocketClient, SocketClientOptions} from './socket-client.js';
import type {ClientSink, ErrorKind} from './types.js';

/** How long stop() (or a server's `disconnect`) waits for the closing handshake before terminate(). */
const closeGraceMs = 1000;
/** How much of a refused handshake's body goes into the error message. */
const bodySnippetLength = 200;

export type Outcome = {reason: string; final: boolean; failed?: boolean};

export class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly options: {status?: number; opened?: boolean; final?: boolean} = {}) {
		super(message);
	}
}

/**
 * What the clients of one run share. A pool of 10,000 clients passes the same values to every
 * client, so they get one config (and one frozen `ws` options object) instead of each holding its
 * options: the caller's `{...common, id}` objects often get a hidden class of their own (~0.5 KB).
 */
export type SocketConfig = Readonly<{
	url: string; headers: SocketClientOptions['headers']; origin: string | undefined; subprotocols: readonly string[]; sink: ClientSink;
	timeoutMs: number; retryMs: number; maxBackoffMs: number; maxPayload: number; compression: boolean; insecure: boolean;
	localAddress: string | undefined;
	/** the run's budget for partial messages across clients (--max-buffered) */
	budget: BufferBudget | undefined;
	/** `url` parsed, shared by every connection (ws only reads it) */
	address: URL | string;
	wsOptions: WebSocket.ClientOptions;
}>;

/**
 * One connection attempt. It receives ws's events through `emit` instead of six listeners: each
 * event name is a key in the socket's dictionary-mode `_events` (~50 B), and each listener a
 * closure over the attempt; here the attempt's state is fields and the handlers are methods.
 */
export class ClientSocket extends WebSocket implements BufferHolder {
	upgraded = false;
	/** a message or control frame came on this connection (one that closes before any backs off: socket-client.ts) */
	delivered = false;
	/** bytes of unfinished frames and messages the budget has counted for this connection */
	held = 0;
	opened = false;
	timedOut = false;
	failure: AttemptError | undefined = undefined;
	ending: Outcome | undefined = undefined;
	/** the close grace timer */
	timer: NodeJS.Timeout | undefined = undefined;
	readonly started = performance.now();
	/** this socket's place in the handshake deadlines until it opens or closes, then -1 */
	private deadlineSlot: number;

	constructor(readonly owner: SocketClient, config: SocketConfig) {
		// No protocols for ws: the offer is a header of wsOptions and `negotiated` checks the answer.
		super(config.address, undefined, config.wsOptions);
		// Not ws's handshakeTimeout, which leaves a Timeout on every socket, nor a Timeout of our own.
		this.deadlineSlot = handshakeDeadlines(config.timeoutMs).add(this);
	}

	// Fixed parameters, not a rest array: this runs for every message, and ws passes at most two.
	override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
		const client = this.owner;
		switch (event) {
			case 'message': {
				this.delivered = true;
				client.config.sink.bytes(client.id, (a as Buffer).length);
				client.received(a as Buffer, b as boolean);
				return true;
			}

			case 'ping':
			case 'pong': {
				this.delivered = true;
				client.control(a as Buffer, event);
				return true;
			}

			case 'upgrade': {
				this.upgraded = true;
				this.negotiated(a as IncomingMessage);
				return true;
			}

			case 'open': {
				this.handshakeOver();
				this.opened = true;
				if (client.config.budget !== undefined) {
					watchReceived(this);
				}

				client.config.sink.emit({kind: 'open', client: client.id, status: 101, connectMs: performance.now() - this.started, url: client.config.url});
				client.opened(this);
				return true;
			}

			case 'unexpected-response': {
				this.refused(b as IncomingMessage);
				return true;
			}

			case 'error': {
				this.failure ??= this.timedOut
					? new AttemptError('timeout', `no WebSocket upgrade within ${client.config.timeoutMs}ms`)
					: classify(a as Error, this.opened, this.upgraded);
				return true;
			}

			case 'close': {
				this.handshakeOver();
				if (this.held !== 0) {
					client.config.budget!.update(this, 0);
				}

				clearTimeout(this.timer);
				client.socketClosed(this, a as number, String(b));
				return true;
			}

			default: {
				return super.emit(event, a, b);
			}
		}
	}

	/** @internal after each read: what ws holds of an unfinished frame or message, for the budget */
	accountReceived(): void {
		const receiver = (this as unknown as {_receiver: {_bufferedBytes: number; _messageLength: number} | null})._receiver;
		const held = receiver === null ? 0 : receiver._bufferedBytes + receiver._messageLength;
		if (held !== this.held) {
			this.owner.config.budget!.update(this, held);
		}
	}

	overBudget(message: string): void {
		this.fail('too-large', message);
	}

	fail(kind: ErrorKind, message: string): void {
		this.failure ??= new AttemptError(kind, message, {opened: true});
		this.terminate();
	}

	closeGracefully(code: number, reason: string): void {
		if (this.readyState === WebSocket.CONNECTING) {
			this.terminate();
			return;
		}

		this.close(code, reason);
		this.timer ??= setTimeout(terminateSocket, closeGraceMs, this);
	}

	/** @internal its handshake deadline passed: give up on this attempt */
	handshakeTimedOut(): void {
		this.deadlineSlot = -1;
		this.timedOut = true;
		this.terminate();
	}

	/**
	 * The server's answer to the offered subprotocols: one not offered fails; a missing answer is
	 * accepted, so a server that picks none (the seeds' Go server) can still be load-tested.
	 * Browsers fail that too (WHATWG Fetch, "establish a WebSocket connection"; Chromium in
	 * test/e2e/actioncable-official.test.ts), hence the note. ws offered none itself, so it accepts
	 * a missing answer and refuses any other: an answer we offered is taken off the response
	 * before ws looks, one we did not is left for ws to fail the handshake on.
	 */
	private negotiated(response: IncomingMessage): void {
		const {subprotocols, sink} = this.owner.config;
		const chosen = response.headers['sec-websocket-protocol'];
		if (chosen === undefined) {
			if (subprotocols.length > 0) {
				sink.note?.(`the server chose no subprotocol (offered ${subprotocols.join(', ')}); accepted here, though browsers fail such a handshake (so the official ActionCable JS client never connects)`);
			}
		} else if (subprotocols.includes(chosen)) {
			delete response.headers['sec-websocket-protocol'];
		} else {
			this.failure ??= new AttemptError('protocol', `invalid upgrade: the server chose subprotocol "${chosen}", which was not offered (offered: ${subprotocols.join(', ') || 'none'})`, {status: 101});
		}
	}

	private handshakeOver(): void {
		if (this.deadlineSlot >= 0) {
			handshakeDeadlines(this.owner.config.timeoutMs).remove(this.deadlineSlot);
			this.deadlineSlot = -1;
		}
	}

	private refused(response: IncomingMessage): void {
		const status = response.statusCode ?? 0;
		const {origin} = this.owner.config;
		let body = '';
		const done = () => {
			const sent = origin === undefined ? 'no Origin header was sent' : `the Origin sent was ${origin}`;
			const text = body.trim().replaceAll(/\s+/g, ' ').slice(0, bodySnippetLength);
			this.failure ??= new AttemptError('status', `upgrade refused: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd()
				+ (text ? `: "${text}"` : '')
				+ (status === 403 || status === 404 ? ` (if the server checks Origin, ${sent})` : ''), {status});
			this.terminate();
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
	}
}

const receivedBy = Symbol('ClientSocket');
type WatchedSocket = Socket & {[receivedBy]: ClientSocket};

// ws reads the socket through its own 'data' listener and buffers an unfinished frame (up to
// maxPayload) and the fragments of an unfinished message in its Receiver; this listener runs
// after it and reads those counts (ws 8 internals: _bufferedBytes, _messageLength).
function onReceived(this: WatchedSocket): void {
	this[receivedBy].accountReceived();
}

function watchReceived(socket: ClientSocket): void {
	const raw = (socket as unknown as {_socket: WatchedSocket | null})._socket;
	if (raw !== null) {
		raw[receivedBy] = socket;
		raw.on('data', onReceived);
	}
}

function terminateSocket(socket: ClientSocket): void {
	socket.terminate();
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

export function describeClose(code: number, reason: string): string {
	const name = closeCodeNames[code];
	return `close ${code}${name ? ` ${name}` : ''}${reason ? `: ${reason}` : ''}`;
}

export function describe(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as {code?: string}).code;
		if (error.message) {
			return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
		}

		return code ?? error.name;
	}

	return String(error);
}
