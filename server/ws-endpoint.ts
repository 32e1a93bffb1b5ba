import type {IncomingMessage} from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocketServer, type WebSocket} from 'ws';
import type {ServerContext, WsClient} from './context.js';
import {webSocketSink} from './frames.js';

export function createWsServer(): WebSocketServer {
	return new WebSocketServer({noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 64 * 1024});
}

/** Completes a /ws upgrade: every broadcast arrives as one JSON text frame. */
export function acceptWs(context: ServerContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
	wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
		const {broadcaster, logger} = context;
		const subscriber = broadcaster.add('ws', webSocketSink(ws, socket));
		const client: WsClient = {subscriber, alive: true};
		context.wsClients.set(ws, client);
		logger.debug('ws connected', {client: subscriber.id, remote: req.socket.remoteAddress});
		ws.on('pong', () => {
			client.alive = true;
		});
		ws.on('error', error => {
			logger.debug('ws socket error', {client: subscriber.id, error: error.message});
		});
		ws.on('close', () => {
			broadcaster.remove(subscriber);
			context.wsClients.delete(ws);
			logger.debug('ws closed', {client: subscriber.id});
		});
	});
}

/**
 * The ws README's heartbeat: a peer that has not answered the previous ping is terminated,
 * then every survivor gets a new ping.
 */
export function sweepWsClients(context: ServerContext): void {
	for (const [ws, client] of context.wsClients) {
		if (!client.alive) {
			context.counters.deadPeers++;
			context.logger.info('ws peer terminated: no pong since the last ping', {client: client.subscriber.id});
			ws.terminate();
			continue;
		}

		client.alive = false;
		ws.ping();
	}
}
