import type {Config} from '../config.js';
import {createHttpDispatcher} from './http-dispatcher.js';
import {createSseClient} from './sse-client.js';
import type {Client, ClientSink} from './types.js';

export type ClientFactory = {
	create(id: number): Client;
	/** release what the clients shared (the HTTP connection pool) */
	close(): Promise<void>;
};

/** Builds the run's clients for the configured protocol, sharing what they can. */
export function createClientFactory(config: Config, sink: ClientSink): ClientFactory {
	const dispatcher = createHttpDispatcher({timeoutMs: config.timeoutMs, insecure: config.insecure});
	return {
		create: id => createSseClient({
			id,
			url: config.url,
			headers: config.headers,
			dispatcher,
			sink,
			timeoutMs: config.timeoutMs,
			retryMs: config.retryMs,
			maxBackoffMs: config.maxBackoffMs,
			maxEventSize: config.maxEventSize,
		}),
		async close() {
			await dispatcher.close().catch(() => undefined);
		},
	};
}
