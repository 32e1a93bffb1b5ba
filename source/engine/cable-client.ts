import {cableIdentifier, CableProtocolError, createCableFrameParser, isCablePing, messageCommand, subscribeCommand, type CableFrame} from './cable-protocol.js';
import {extractLatency} from './latency.js';
import {SocketClient, type ClientSocket, type SocketClientOptions} from './socket-client.js';
import type {Client} from './types.js';

/** The shared socket options (url: ws:// or wss://, usually ending in /cable; subprotocols usually cableSubprotocols) plus the subscription. */
export type CableClientOptions = SocketClientOptions & {
	channel: string;
	/** extra identifier keys, e.g. {room: '1'} */
	channelParams: Readonly<Record<string, unknown>>;
	/** after the subscription is confirmed, perform this channel action every `everyMs` */
	perform?: {action: string; data: Readonly<Record<string, unknown>>; everyMs: number};
	/** assumed ping interval until two pings were seen; Rails pings every 3 s */
	initialPingIntervalMs?: number;
	/** stale after this many ping intervals without a ping; 2, like the official JS client's 6 s */
	staleAfterPings?: number;
};

const defaultPingIntervalMs = 3000;
const defaultStaleAfterPings = 2;

/**
 * An ActionCable consumer with one subscription (PROTOCOLS.md section 2): subscribes on
 * `welcome`, counts confirmations, rejections, broadcasts and pings, obeys `disconnect`, and
 * reconnects when pings stop for `staleAfterPings` times the interval between pings (an estimate
 * that follows longer gaps at once and shorter ones slowly).
 * A rejected subscription stays connected (pings keep counting), as in the JS client.
 */
export function createCableClient(options: CableClientOptions, id = options.id): Client {
	return new CableClient(id, options);
}

class CableClient extends SocketClient {
	private readonly subscription: Subscription;
	private readonly staleAfterPings: number;
	/** Kept across reconnects: the server's cadence does not change because we reconnected. */
	private pingIntervalMs: number;
	/** per connection: when the last ping (or the open) was seen, and how many pings */
	private lastPingAt = 0;
	private pings = 0;
	private performTimer: NodeJS.Timeout | undefined = undefined;

	constructor(id: number, options: CableClientOptions) {
		super(id, options);
		this.subscription = subscription(options);
		this.staleAfterPings = options.staleAfterPings ?? defaultStaleAfterPings;
		this.pingIntervalMs = options.initialPingIntervalMs ?? defaultPingIntervalMs;
	}

	opened(_socket: ClientSocket): void {
		this.lastPingAt = performance.now();
		this.pings = 0;
		watch(this);
	}

	/** @internal the shared sweep: past the silence that makes this connection stale? */
	silentTooLong(now: number): boolean {
		return now - this.lastPingAt >= this.staleAfterPings * this.pingIntervalMs;
	}

	/** @internal the sweep's second look, one poll phase later */
	checkStale(now: number): void {
		const silentMs = now - this.lastPingAt;
		if (silentMs >= this.staleAfterPings * this.pingIntervalMs) {
			unwatch(this);
			this.fail('stale', `no ActionCable ping for ${Math.round(silentMs)}ms (${this.staleAfterPings} × the ${Math.round(this.pingIntervalMs)}ms ping interval)`);
		}
	}

	received(data: Buffer): void {
		// All an idle connection receives, every 3 s: checked on the bytes, nothing decoded or allocated.
		if (isCablePing(data)) {
			this.pinged();
			return;
		}

		const {sink} = this.config;
		const {id} = this;
		let frame;
		try {
			frame = this.subscription.parse(data.toString());
		} catch (error) {
			sink.emit({kind: 'error', client: id, error: 'protocol', message: error instanceof CableProtocolError ? error.message : String(error)});
			return;
		}

		switch (frame.type) {
			case 'ping': {
				this.pinged();
				break;
			}

			case 'message': {
				sink.emit({kind: 'event', client: id, type: 'message', data: frame.data, id: '', bytes: frame.data.length, latencyMs: extractLatency(frame.data)});
				break;
			}

			case 'welcome': {
				sink.emit({kind: 'welcome', client: id});
				this.socket?.send(this.subscription.subscribe);
				break;
			}

			case 'confirm': {
				sink.emit({kind: 'confirm', client: id, identifier: frame.identifier});
				const {perform} = this.subscription;
				if (perform && frame.identifier === this.subscription.identifier && this.performTimer === undefined) {
					this.performTimer = setInterval(sendPerform, perform.everyMs, this);
				}

				break;
			}

			case 'reject': {
				sink.emit({kind: 'reject', client: id, identifier: frame.identifier});
				break;
			}

			case 'disconnect': {
				const reason = frame.reason || 'no reason given';
				sink.emit({kind: 'disconnect', client: id, reason, reconnect: frame.reconnect});
				const refused = frame.reason === 'unauthorized' || frame.reason === 'invalid_request';
				if (frame.reason === 'unauthorized') {
					sink.emit({kind: 'error', client: id, error: 'rejected', message: 'server disconnected: unauthorized (the connection was rejected)'});
				}

				this.finish(`server disconnected: ${reason}, ${frame.reconnect ? 'reconnecting' : 'not reconnecting'}`, !frame.reconnect, refused && !frame.reconnect);
				break;
			}

			case 'other': {
				break;
			}
		}
	}

	private pinged(): void {
		const now = performance.now();
		if (this.pings > 0) {
			// Two pings close together (read together after a stall, or Rails running two beat
			// timers: its `@heartbeat_timer ||=` races when the first connections arrive at once,
			// giving gaps of 0.2 s and 2.8 s in turn) must not make us trigger-happy: the
			// estimate falls by at most a quarter per ping, so it tracks the longer gaps.
			this.pingIntervalMs = Math.max(now - this.lastPingAt, this.pingIntervalMs * 0.75);
		}

		this.pings++;
		this.lastPingAt = now;
		this.config.sink.emit({kind: 'heartbeat', client: this.id, source: 'cable-ping'});
	}

	/** @internal the perform interval's tick */
	perform(): void {
		this.socket?.send(this.subscription.perform!.command);
	}

	protected closed(): void {
		unwatch(this);
		clearInterval(this.performTimer);
		this.performTimer = undefined;
	}
}

function sendPerform(client: CableClient): void {
	client.perform();
}

/**
 * Open connections, checked for silence by one shared interval rather than a timer each: a
 * Timeout per connection (and a timer list per distinct delay) costs more than a Set entry.
 * A ping only updates `lastPingAt`, so the hot path touches no timer. Detection is up to
 * `sweepEveryMs` late: 6.0-6.1 s instead of 6 s at Rails' 3 s pings.
 */
const watched = new Set<CableClient>();
const sweepEveryMs = 100;
let sweepTimer: NodeJS.Timeout | undefined;

function watch(client: CableClient): void {
	watched.add(client);
	// Unref'd: the open sockets keep the process alive, the sweep must not.
	sweepTimer ??= setInterval(sweep, sweepEveryMs).unref();
}

function unwatch(client: CableClient): void {
	watched.delete(client);
	if (watched.size === 0 && sweepTimer !== undefined) {
		clearInterval(sweepTimer);
		sweepTimer = undefined;
	}
}

function sweep(): void {
	const now = performance.now();
	let suspects: CableClient[] | undefined;
	for (const client of watched) {
		if (client.silentTooLong(now)) {
			(suspects ??= []).push(client);
		}
	}

	// After an event-loop stall, timers run before pending socket reads: give a ping that is
	// already in the buffer one poll phase to arrive before calling the server dead.
	if (suspects) {
		setImmediate(recheck, suspects);
	}
}

function recheck(suspects: CableClient[]): void {
	const now = performance.now();
	for (const client of suspects) {
		if (watched.has(client)) {
			client.checkStale(now);
		}
	}
}

type Subscription = {identifier: string; subscribe: string; parse: (text: string) => CableFrame; perform: {command: string; everyMs: number} | undefined};

type SharedSubscription = Subscription & Pick<CableClientOptions, 'channel' | 'channelParams'> & {performOption: CableClientOptions['perform']};

let lastSubscription: SharedSubscription | undefined;

/**
 * The subscription's strings and frame classifier, shared by every client with the same channel,
 * params and perform option (a pool of 10,000 clients builds them once, not 10,000 times). A
 * pool passes the same params object to every client, so that is checked before the identifier
 * is serialised again.
 */
function subscription(options: CableClientOptions): Subscription {
	const {channel, channelParams, perform} = options;
	const last = lastSubscription;
	if (last?.channel === channel && last.channelParams === channelParams && last.performOption === perform) {
		return last;
	}

	const identifier = cableIdentifier(channel, channelParams);
	if (last?.identifier === identifier && last.performOption === perform) {
		return last;
	}

	lastSubscription = {
		identifier,
		subscribe: subscribeCommand(identifier),
		parse: createCableFrameParser(identifier),
		perform: perform ? {command: messageCommand(identifier, perform.action, perform.data), everyMs: perform.everyMs} : undefined,
		channel,
		channelParams,
		performOption: perform,
	};
	return lastSubscription;
}
