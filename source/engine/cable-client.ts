import {cableIdentifier, CableProtocolError, cableSubprotocols, createCableFrameParser, messageCommand, subscribeCommand, type CableFrame} from './cable-protocol.js';
import {extractLatency} from './latency.js';
import type {Client} from './types.js';
import {createSocketClient, type SocketClientOptions} from './ws-client.js';

/** The shared socket options (url: ws:// or wss://, usually ending in /cable; subprotocols [] = cableSubprotocols) plus the subscription. */
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
 * reconnects when pings stop for `staleAfterPings` times the interval seen between the last two.
 * A rejected subscription stays connected (pings keep counting), as in the JS client.
 */
export function createCableClient(options: CableClientOptions): Client {
	const {id, sink} = options;
	const {identifier, subscribe, parse} = subscription(options.channel, options.channelParams);
	const perform = options.perform ? {command: messageCommand(identifier, options.perform.action, options.perform.data), everyMs: options.perform.everyMs} : undefined;
	const staleAfterPings = options.staleAfterPings ?? defaultStaleAfterPings;
	// Kept across reconnects: the server's cadence does not change because we reconnected.
	let pingIntervalMs = options.initialPingIntervalMs ?? defaultPingIntervalMs;

	return createSocketClient(options, connection => {
		const {socket} = connection;
		let lastPingAt = performance.now();
		let pings = 0;
		let performTimer: NodeJS.Timeout | undefined;
		let staleTimer: NodeJS.Timeout | undefined;
		let closed = false;

		// One timer per connection that sleeps until the earliest moment the connection could be
		// stale; a ping only updates `lastPingAt`, so the hot path touches no timer.
		const checkStale = () => {
			const silentMs = performance.now() - lastPingAt;
			const limitMs = staleAfterPings * pingIntervalMs;
			if (silentMs < limitMs) {
				staleTimer = setTimeout(checkStale, limitMs - silentMs);
				return;
			}

			// After an event-loop stall, timers run before pending socket reads: give a ping that
			// is already in the buffer one poll phase to arrive before calling the server dead.
			staleTimer = undefined;
			setImmediate(() => {
				if (closed) {
					return;
				}

				const silentNowMs = performance.now() - lastPingAt;
				if (silentNowMs < limitMs) {
					staleTimer = setTimeout(checkStale, limitMs - silentNowMs);
					return;
				}

				connection.fail('stale', `no ActionCable ping for ${Math.round(silentNowMs)}ms (${staleAfterPings} × the ${Math.round(pingIntervalMs)}ms ping interval)`);
			});
		};

		staleTimer = setTimeout(checkStale, staleAfterPings * pingIntervalMs);

		return {
			message(data) {
				const text = data.toString();
				let frame;
				try {
					frame = parse(text);
				} catch (error) {
					sink.emit({kind: 'error', client: id, error: 'protocol', message: error instanceof CableProtocolError ? error.message : String(error)});
					return;
				}

				switch (frame.type) {
					case 'ping': {
						const now = performance.now();
						if (pings > 0) {
							// Two pings read together (after a stall) would make the interval ~0; let the
							// estimate fall by at most half per ping so one burst cannot make us trigger-happy.
							pingIntervalMs = Math.max(now - lastPingAt, pingIntervalMs / 2);
						}

						pings++;
						lastPingAt = now;
						sink.emit({kind: 'heartbeat', client: id, source: 'cable-ping'});
						break;
					}

					case 'message': {
						sink.emit({kind: 'event', client: id, type: 'message', data: frame.data, id: '', bytes: frame.data.length, latencyMs: extractLatency(frame.data)});
						break;
					}

					case 'welcome': {
						sink.emit({kind: 'welcome', client: id});
						socket.send(subscribe);
						break;
					}

					case 'confirm': {
						sink.emit({kind: 'confirm', client: id, identifier: frame.identifier});
						if (perform && frame.identifier === identifier && performTimer === undefined) {
							performTimer = setInterval(() => {
								socket.send(perform.command);
							}, perform.everyMs);
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

						connection.finish(`server disconnected: ${reason}, ${frame.reconnect ? 'reconnecting' : 'not reconnecting'}`, !frame.reconnect, refused && !frame.reconnect);
						break;
					}

					case 'other': {
						break;
					}
				}
			},
			closed() {
				closed = true;
				clearTimeout(staleTimer);
				clearInterval(performTimer);
			},
		};
	}, options.subprotocols.length > 0 ? options.subprotocols : cableSubprotocols);
}

let lastSubscription: {key: string; identifier: string; subscribe: string; parse: (text: string) => CableFrame} | undefined;

/**
 * The subscription's strings and frame classifier, shared by every client with the same channel
 * and params (a pool of 10,000 clients builds them once, not 10,000 times: ~0.3 KB each).
 */
function subscription(channel: string, params: Readonly<Record<string, unknown>>) {
	const identifier = cableIdentifier(channel, params);
	if (lastSubscription?.key !== identifier) {
		lastSubscription = {key: identifier, identifier, subscribe: subscribeCommand(identifier), parse: createCableFrameParser(identifier)};
	}

	return lastSubscription;
}
