import type {Config} from '../config.js';
import {createCableClient} from './cable-client.js';
import {createSseClient} from './sse-client.js';
import type {Client, ClientSink} from './types.js';
import {createWsClient} from './ws-client.js';

export type ClientFactory = {
	create(id: number): Client;
	/** release what the clients shared, if anything */
	close(): Promise<void>;
};

/** Builds the run's clients for the configured protocol, sharing what they can. */
export function createClientFactory(config: Config, sink: ClientSink): ClientFactory {
	const {ws} = config;
	if (ws) {
		const common = {
			url: config.url,
			headers: config.headers,
			origin: ws.origin,
			subprotocols: [...ws.subprotocols],
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxPayload: config.maxEventSize,
			compression: ws.compression,
			insecure: config.insecure,
		};
		return {
			create: ws.mode === 'cable'
				? id => createCableClient({...common, id, channel: ws.channel, channelParams: ws.channelParams, ...(ws.perform ? {perform: ws.perform} : {})})
				: id => createWsClient({...common, id, pingIntervalMs: ws.pingIntervalMs, pongTimeoutMs: ws.pongTimeoutMs}),
			async close() {
				// Each WebSocket client owns its socket; nothing shared to release.
			},
		};
	}

	return {
		create: id => createSseClient({
			id,
			url: config.url,
			headers: config.headers,
			insecure: config.insecure,
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxEventSize: config.maxEventSize,
		}),
		async close() {
			// Each SSE client owns its socket (http-stream.ts); stopping the clients closed them.
		},
	};
}
