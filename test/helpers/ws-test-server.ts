import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {WebSocketServer, type WebSocket} from 'ws';

/** One accepted WebSocket connection, as the server saw it. */
export type Peer = {
	readonly socket: WebSocket;
	readonly request: IncomingMessage;
	/** text of every message the client sent, in order */
	readonly received: string[];
	/** the close code the server received, once closed */
	closeCode?: number;
	readonly closed: Promise<void>;
};

export type Refusal = {status: number; body?: string};

export type WsTestServerOptions = {
	/** Refuse the upgrade with this HTTP answer (e.g. 403 for a bad Origin), or never answer ('hang'); undefined accepts. */
	refuse?(request: IncomingMessage, attempt: number): Refusal | 'hang' | undefined;
	/** false: a peer that never answers pings (a dead client-side peer, for pong timeouts) */
	autoPong?: boolean;
	/** Each accepted connection, numbered from 1. */
	onConnection?(peer: Peer, attempt: number): void;
};

export type WsTestServer = {
	url(path?: string): string;
	/** upgrade requests seen (accepted or refused), with the time each arrived (performance.now()) */
	readonly attempts: Array<{headers: IncomingMessage['headers']; at: number}>;
	readonly peers: Peer[];
	close(): Promise<void>;
};

/** A real `ws` server on 127.0.0.1, port 0, over node:http, whose behaviour each test scripts. */
export async function startWsTestServer(options: WsTestServerOptions = {}): Promise<WsTestServer> {
	const sockets = new Set<Socket>();
	const attempts: WsTestServer['attempts'] = [];
	const peers: Peer[] = [];
	const server = createServer((_request, response) => {
		response.writeHead(426).end('upgrade required');
	});
	// Accept any subprotocol the client offers first, as ActionCable does with actioncable-v1-json.
	const wss = new WebSocketServer({noServer: true, perMessageDeflate: false, autoPong: options.autoPong ?? true});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
		attempts.push({headers: request.headers, at: performance.now()});
		const refusal = options.refuse?.(request, attempts.length);
		if (refusal === 'hang') {
			return;
		}

		if (refusal) {
			const body = refusal.body ?? '';
			socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
			return;
		}

		wss.handleUpgrade(request, socket, head, ws => {
			let markClosed!: () => void;
			const peer: Peer = {socket: ws, request, received: [], closed: new Promise(resolve => {
				markClosed = resolve;
			})};
			ws.on('message', (data: Buffer) => peer.received.push(data.toString()));
			ws.on('close', code => {
				peer.closeCode = code;
				markClosed();
			});
			ws.on('error', () => undefined);
			peers.push(peer);
			options.onConnection?.(peer, peers.length);
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: (path = '/cable') => `ws://127.0.0.1:${port}${path}`,
		attempts,
		peers,
		async close() {
			for (const peer of peers) {
				peer.socket.terminate();
			}

			for (const socket of sockets) {
				socket.destroy();
			}

			wss.close();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

export type CableScript = {
	/** ping every this many ms (0: never) */
	pingEveryMs?: number;
	/** send each ping twice, the second this many ms later (Rails running two beat timers) */
	secondPingAfterMs?: number;
	/** answer subscribe with confirm (default) or reject */
	subscription?: 'confirm' | 'reject' | 'ignore';
};

/** A peer that speaks ActionCable's server side: welcome, pings, confirm or reject, broadcasts. */
export function speakCable(peer: Peer, script: CableScript = {}) {
	const {socket} = peer;
	const identifiers: string[] = [];
	socket.send(JSON.stringify({type: 'welcome'}));
	let pinger: NodeJS.Timeout | undefined = script.pingEveryMs
		? setInterval(() => {
			const ping = JSON.stringify({type: 'ping', message: Math.floor(Date.now() / 1000)});
			socket.send(ping);
			if (script.secondPingAfterMs !== undefined) {
				setTimeout(() => {
					if (socket.readyState === socket.OPEN) {
						socket.send(ping);
					}
				}, script.secondPingAfterMs);
			}
		}, script.pingEveryMs)
		: undefined;
	socket.on('message', (data: Buffer) => {
		const command = JSON.parse(data.toString()) as {command: string; identifier: string};
		if (command.command !== 'subscribe' || script.subscription === 'ignore') {
			return;
		}

		identifiers.push(command.identifier);
		const type = script.subscription === 'reject' ? 'reject_subscription' : 'confirm_subscription';
		socket.send(JSON.stringify({identifier: command.identifier, type}));
	});
	const stopPinging = () => {
		clearInterval(pinger);
		pinger = undefined;
	};

	socket.on('close', stopPinging);
	return {
		identifiers,
		stopPinging,
		/** the frame Rails writes for `ActionCable.server.broadcast`: identifier first, message last */
		broadcast(message: unknown, identifier = identifiers[0] ?? '') {
			socket.send(`{"identifier":${JSON.stringify(identifier)},"message":${JSON.stringify(message)}}`);
		},
		disconnect(reason: string, reconnect: boolean) {
			socket.send(JSON.stringify({type: 'disconnect', reason, reconnect}));
			socket.close();
		},
	};
}
