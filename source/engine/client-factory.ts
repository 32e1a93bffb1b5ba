import type {Config} from '../config.js';
import {withoutCredentials} from '../redact.js';
import {BufferBudget, defaultBufferBudget, type BufferStats} from './buffer-budget.js';
import {createCableClient} from './cable-client.js';
import {createSseClient, type AttemptFactory} from './sse-client.js';
import {fillBody, type RequestConfig} from '../config-request.js';
import type {RequestPlan} from './request-stream.js';
import type {UndiciTransport} from './undici-transport.js';
import type {Client, ClientSink} from './types.js';
import {createWsClient} from './ws-client.js';

export type ClientFactory = {
	create(id: number): Client;
	/** release what the clients shared, if anything */
	close(): Promise<void>;
	/** the partial data the clients held together: peak, budget, clients failed over it */
	buffered(): BufferStats;
};

/** Builds the run's clients for the configured protocol, sharing what they can. */
export function createClientFactory(config: Config, sink: ClientSink, transport?: AttemptFactory & {close(): Promise<void>}): ClientFactory {
	const {ws} = config;
	// Credentials in the URL travel as the Authorization header (config.ts), never in what clients report.
	const url = withoutCredentials(config.url);
	const addresses = config.shape.localAddresses;
	const budget = new BufferBudget(config.maxBuffered ?? defaultBufferBudget(config.clients, config.maxEventSize));
	const buffered = () => budget.stats();
	if (ws) {
		const common = {
			url,
			headers: config.headers,
			origin: ws.origin,
			subprotocols: [...ws.subprotocols],
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxPayload: config.maxEventSize,
			budget,
			compression: ws.compression,
			insecure: config.insecure,
		};
		// One options object for every client of the run, the id passed beside it: a copy per
		// client is ~0.6 KB of garbage each while thousands of clients start.
		// With --local-address, one such object per address, taken in turn by client id.
		let create: (id: number) => Client;
		if (ws.mode === 'cable') {
			const cable = perAddress(addresses, localAddress => ({...common, localAddress, id: 0, channel: ws.channel, channelParams: ws.channelParams, ...(ws.perform ? {perform: ws.perform} : {})}));
			create = id => createCableClient(cable[id % cable.length]!, id);
		} else {
			const raw = perAddress(addresses, localAddress => ({...common, localAddress, id: 0, pingIntervalMs: ws.pingIntervalMs, pongTimeoutMs: ws.pongTimeoutMs}));
			create = id => createWsClient(raw[id % raw.length]!, id);
		}

		return {
			create,
			buffered,
			async close() {
				// Each WebSocket client owns its socket; nothing shared to release.
			},
		};
	}

	const plan = config.request === undefined ? undefined : requestPlan(config.request);
	return {
		create: id => createSseClient({
			id,
			url,
			headers: config.headers,
			insecure: config.insecure,
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			minRetryMs: config.minRetryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxEventSize: config.maxEventSize,
			localAddress: addresses.length === 0 ? undefined : addresses[(id - 1) % addresses.length],
			budget,
			plan,
			transport,
		}),
		buffered,
		async close() {
			// Each SSE client owns its socket (http-stream.ts); stopping the clients closed them.
			// undici's dispatchers (undici-transport.ts) hold connections of their own.
			await transport?.close();
		},
	};
}

/** One options object per --local-address (client `id` takes `[id % length]`), or one with none. */
function perAddress<T>(addresses: readonly string[], build: (localAddress: string | undefined) => T): T[] {
	// Rotated so that client 1 takes the first address, as the SSE clients do.
	return addresses.length === 0 ? [build(undefined)] : addresses.map((_, index) => build(addresses[(index + addresses.length - 1) % addresses.length]));
}

/** The engine's view of --method, --body and friends; bodies are taken in turn, by every client of the run. */
function requestPlan(request: RequestConfig): RequestPlan {
	const {bodies} = request;
	let next = 0;
	return Object.freeze({
		method: request.method,
		contentType: request.contentType,
		untilData: request.untilData,
		untilEvent: request.untilEvent,
		then: request.then,
		thinkMs: request.thinkMs,
		streamTimeoutMs: request.streamTimeoutMs,
		body: bodies.length === 0 ? () => undefined : (client: number, iteration: number) => fillBody(bodies[next++ % bodies.length]!, client, iteration),
	});
}

/** The undici transport when the run asks for it (--proxy, --http2, --compressed), loaded only then: start-up time matters. */
export async function openTransport(config: Config): Promise<UndiciTransport | undefined> {
	return config.transport && (await import('./undici-transport.js')).createUndiciTransport(config, config.transport);
}
