import {extractLatency} from './latency.js';
import type {Client} from './types.js';
import {SocketClient, type ClientSocket, type SocketClientOptions} from './socket-client.js';

export type {SocketClientOptions} from './socket-client.js';

export type WsClientOptions = SocketClientOptions & {
	/** send a ping this often; 0 turns client pings (and dead-peer detection) off */
	pingIntervalMs: number;
	/** no pong within this long after our ping: terminate and count `stale` */
	pongTimeoutMs: number;
};

/**
 * Plain WebSocket: every text or binary frame is a message; ping and pong control frames are
 * heartbeats (PROTOCOLS.md section 3). Every received control frame counts once, labelled by
 * what it was: `ping` for the server's pings (which `ws` answers itself) and `pong` for the
 * answers to our own pings, so a server that never pings still shows a live heartbeat.
 */
export function createWsClient(options: WsClientOptions, id = options.id): Client {
	return new WsClient(id, options);
}

class WsClient extends SocketClient {
	private readonly pingIntervalMs: number;
	private readonly pongTimeoutMs: number;
	private pingTimer: NodeJS.Timeout | undefined = undefined;
	private pongTimer: NodeJS.Timeout | undefined = undefined;

	constructor(id: number, options: WsClientOptions) {
		super(id, options);
		this.pingIntervalMs = options.pingIntervalMs;
		this.pongTimeoutMs = options.pongTimeoutMs;
	}

	opened(_socket: ClientSocket): void {
		// The heartbeat recipe from the ws README: ping on an interval, terminate on a missing pong.
		if (this.pingIntervalMs > 0) {
			this.pingTimer = setInterval(sendPing, this.pingIntervalMs, this);
		}
	}

	received(data: Buffer, isBinary: boolean): void {
		// Binary payloads are counted, not decoded: `data` would be noise in the event log.
		const text = isBinary ? '' : data.toString();
		this.config.sink.emit({kind: 'event', client: this.id, type: 'message', data: text, id: '', bytes: data.length, latencyMs: isBinary ? undefined : extractLatency(text)});
	}

	override control(data: Buffer, kind: 'ping' | 'pong'): void {
		if (kind === 'pong') {
			clearTimeout(this.pongTimer);
			this.pongTimer = undefined;
		}

		this.config.sink.bytes(this.id, data.length);
		this.config.sink.emit({kind: 'heartbeat', client: this.id, source: kind});
	}

	/** @internal the ping interval's tick */
	ping(): void {
		if (this.pongTimer !== undefined || this.socket === undefined) {
			return;
		}

		this.socket.ping();
		this.pongTimer = setTimeout(pongMissing, this.pongTimeoutMs, this);
	}

	/** @internal */
	pongMissing(): void {
		// `pongTimer` stays set, as it did: no further ping while the socket is being dropped.
		this.fail('stale', `no pong within ${this.pongTimeoutMs}ms of our ping`);
	}

	protected closed(): void {
		clearInterval(this.pingTimer);
		clearTimeout(this.pongTimer);
		this.pingTimer = undefined;
		this.pongTimer = undefined;
	}
}

function sendPing(client: WsClient): void {
	client.ping();
}

function pongMissing(client: WsClient): void {
	client.pongMissing();
}
