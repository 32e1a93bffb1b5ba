import type {IncomingMessage} from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocketServer, type RawData, type WebSocket} from 'ws';
import type {CableClient, ServerContext} from './context.js';
import {cableFrame, webSocketSink} from './frames.js';

export const cableProtocol = 'actioncable-v1-json';
/** The seeds' channel; subscribing to it streams the `dashboard_updates` broadcasting. */
export const dashboardChannel = 'DashboardUpdatesChannel';
/** Subscriptions per connection, so one client cannot grow the server's maps without bound. */
export const maxSubscriptions = 100;
/** Largest command frame; `ws` closes a socket that sends more with 1009 (message too big). */
export const maxCablePayload = 64 * 1024;
/**
 * Commands refused or ignored on one socket (bad JSON, binary frames, subscriptions past the
 * cap) before it is closed with 1008: a client that keeps sending them is broken or hostile,
 * and answering each one costs every other client time.
 */
export const maxRefusedCommands = 200;
const welcomeFrame = cableFrame({type: 'welcome'});

export function createCableServer(): WebSocketServer {
	return new WebSocketServer({
		noServer: true,
		clientTracking: false,
		perMessageDeflate: false, // Measured: deflate costs ~50 µs per message at the client.
		maxPayload: maxCablePayload,
		// Rails offers actioncable-v1-json; a client that offers nothing (wscat) still gets in.
		handleProtocols: protocols => (protocols.has(cableProtocol) ? cableProtocol : false),
	});
}

export function cablePingFrame(): Buffer {
	return cableFrame({type: 'ping', message: Math.floor(Date.now() / 1000)});
}

export const shutdownFrame = cableFrame({type: 'disconnect', reason: 'server_restart', reconnect: true});

type Command = {command: string; identifier?: unknown; data?: unknown};

function parseCommand(text: string): Command | undefined {
	try {
		const value: unknown = JSON.parse(text);
		if (typeof value === 'object' && value !== null && typeof (value as Command).command === 'string') {
			return value as Command;
		}
	} catch {}

	return undefined;
}

/** The channel named by an identifier such as `{"channel":"DashboardUpdatesChannel"}`. */
function channelOf(identifier: string): string | undefined {
	try {
		const value: unknown = JSON.parse(identifier);
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			const {channel} = value as {channel?: unknown};
			return typeof channel === 'string' && channel !== '' ? channel : undefined;
		}
	} catch {}

	return undefined;
}

function handleCommand(context: ServerContext, client: CableClient, text: string): void {
	const {broadcaster, counters, logger} = context;
	const {subscriber, identifiers} = client;
	counters.cableCommands++;
	const command = parseCommand(text);
	const identifier = typeof command?.identifier === 'string' ? command.identifier : undefined;
	const invalid = (why: string): void => {
		// Rails logs and ignores these too; the connection stays up, up to maxRefusedCommands.
		counters.cableInvalid++;
		client.refused++;
		logger.debug('cable command ignored', {client: subscriber.id, why});
	};

	if (!command || identifier === undefined) {
		invalid(command ? 'no identifier string' : 'not a JSON command');
		return;
	}

	switch (command.command) {
		case 'subscribe': {
			const channel = channelOf(identifier);
			if (channel === undefined || identifiers.size >= maxSubscriptions) {
				counters.cableInvalid++;
				client.refused++;
				broadcaster.enqueue(subscriber, cableFrame({identifier, type: 'reject_subscription'}));
				logger.debug('cable subscription rejected', {client: subscriber.id, why: channel ? 'too many subscriptions' : 'identifier has no channel'});
				return;
			}

			if (identifiers.has(identifier)) {
				invalid('already subscribed');
				return;
			}

			identifiers.add(identifier);
			if (channel === dashboardChannel) {
				broadcaster.stream(subscriber, identifier);
			}

			broadcaster.enqueue(subscriber, cableFrame({identifier, type: 'confirm_subscription'}));
			logger.debug('cable subscribed', {client: subscriber.id, channel});
			return;
		}

		case 'unsubscribe': {
			if (!identifiers.delete(identifier)) {
				invalid('not subscribed');
				return;
			}

			broadcaster.unstream(subscriber, identifier);
			logger.debug('cable unsubscribed', {client: subscriber.id});
			return;
		}

		case 'message': {
			// Channel actions are accepted and counted; the reference channel defines none.
			if (!identifiers.has(identifier)) {
				invalid('message for a channel that is not subscribed');
			}

			return;
		}

		default: {
			invalid(`unknown command ${JSON.stringify(command.command).slice(0, 40)}`);
		}
	}
}

/** Completes a /cable upgrade that the server already admitted (capacity and Origin checked). */
export function acceptCable(context: ServerContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
	wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
		const {broadcaster, logger} = context;
		// Frames are written to the socket ourselves (pre-built, shared); ws writes only control frames.
		const subscriber = broadcaster.add('cable', webSocketSink(ws, socket));
		const client: CableClient = {subscriber, identifiers: new Set(), refused: 0};
		context.cableClients.set(ws, client);
		broadcaster.enqueue(subscriber, welcomeFrame);
		logger.debug('cable connected', {client: subscriber.id, remote: req.socket.remoteAddress, protocol: ws.protocol || 'none'});

		ws.on('message', (data: RawData, isBinary: boolean) => {
			if (client.refused >= maxRefusedCommands) {
				return; // Closing already.
			}

			if (isBinary) {
				context.counters.cableInvalid++;
				client.refused++;
			} else {
				handleCommand(context, client, data.toString());
			}

			if (client.refused >= maxRefusedCommands) {
				context.counters.cableClosed++;
				logger.warn('cable socket closed: too many refused commands', {client: subscriber.id, refused: client.refused});
				context.broadcaster.flush(true); // Its answers so far go out before the close frame.
				ws.close(1008, `more than ${maxRefusedCommands} invalid or refused commands`);
			}
		});
		ws.on('error', error => {
			// A frame over maxCablePayload or an invalid frame: ws closes this socket (1009, 1002).
			if ((error as {code?: string}).code?.startsWith('WS_ERR_')) {
				context.counters.cableClosed++;
			}

			logger.debug('cable socket error', {client: subscriber.id, error: error.message});
		});
		ws.on('close', () => {
			broadcaster.remove(subscriber);
			context.cableClients.delete(ws);
			logger.debug('cable closed', {client: subscriber.id});
		});
	});
}
