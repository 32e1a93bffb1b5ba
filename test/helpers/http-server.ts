import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse, attempt: number) => void;

export type TestServer = {
	url(path?: string): string;
	/** every request received, in order, with the time it arrived (performance.now()) */
	readonly requests: Array<{path: string; headers: IncomingMessage['headers']; at: number}>;
	close(): Promise<void>;
};

/** A real HTTP server on 127.0.0.1, port 0, whose answers each test scripts. */
export async function startTestServer(handler: Handler): Promise<TestServer> {
	const requests: TestServer['requests'] = [];
	const sockets = new Set<Socket>();
	const server = createServer((request, response) => {
		requests.push({path: request.url ?? '', headers: request.headers, at: performance.now()});
		handler(request, response, requests.length);
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: (path = '/stream') => `http://127.0.0.1:${port}${path}`,
		requests,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

export function eventStreamHeaders(response: ServerResponse, extra: Record<string, string> = {}): void {
	response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...extra});
	response.flushHeaders();
}

/** Polls until the predicate holds, failing after `timeoutMs`: bounded, never a hang. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (!predicate()) {
		if (performance.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}
