import assert from 'node:assert/strict';
import {after, describe, test} from 'node:test';
import {createServer} from 'node:net';
import type {AddressInfo} from 'node:net';
import {createHttpDispatcher} from '../../source/engine/http-dispatcher.js';
import {createSseClient, type SseClientOptions} from '../../source/engine/sse-client.js';
import {eventStreamHeaders, startTestServer, waitFor, type Handler} from '../helpers/http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';

const dispatcher = createHttpDispatcher({timeoutMs: 2000, insecure: false});
after(async () => dispatcher.close());

async function withClient(handler: Handler, options: Partial<SseClientOptions>, body: (context: {sink: ReturnType<typeof createRecordingSink>; server: Awaited<ReturnType<typeof startTestServer>>}) => Promise<void>) {
	const server = await startTestServer(handler);
	const sink = createRecordingSink();
	const client = createSseClient({
		id: 1, url: server.url(), headers: {}, dispatcher, sink,
		timeoutMs: 2000, retryMs: 50, maxBackoffMs: 10_000, maxEventSize: 1 << 20,
		...options,
	});
	client.start();
	try {
		await body({sink, server});
	} finally {
		await client.stop();
		await server.close();
	}
}

describe('SSE client', () => {
	test('sends the EventSource request headers plus user headers', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response);
		}, {headers: {authorization: 'Bearer x'}}, async ({sink, server}) => {
			await waitFor(() => sink.of('open').length === 1, 3000, 'open');
			const headers = server.requests[0]!.headers;
			assert.equal(headers.accept, 'text/event-stream');
			assert.equal(headers['cache-control'], 'no-cache');
			assert.equal(headers.authorization, 'Bearer x');
			assert.equal(headers['last-event-id'], undefined);
			assert.equal(sink.of('open')[0]!.status, 200);
		});
	});

	test('dispatches events and counts comments, then reconnects after retry with Last-Event-ID', async () => {
		await withClient((_request, response, attempt) => {
			eventStreamHeaders(response);
			if (attempt === 1) {
				response.end(': heartbeat\n\nretry: 300\nid: 7\nevent: update\ndata: {"a":1}\n\n');
			}
		}, {}, async ({sink, server}) => {
			await waitFor(() => server.requests.length === 2, 3000, 'a second request');
			const [first, second] = server.requests;
			assert.equal(second!.headers['last-event-id'], '7');
			assert.ok(second!.at - first!.at >= 280, `reconnected after ${second!.at - first!.at}ms, retry was 300ms`);
			const [event] = sink.of('event');
			assert.deepEqual({type: event!.type, data: event!.data, id: event!.id}, {type: 'update', data: '{"a":1}', id: '7'});
			assert.deepEqual(sink.of('comment').map(comment => comment.text), ['heartbeat']);
			assert.deepEqual(sink.of('retry').map(retry => retry.retryMs), [300]);
			assert.equal(sink.of('reconnect')[0]!.delayMs, 300);
			assert.equal(sink.of('close')[0]!.reason, 'stream ended by server');
			assert.ok(sink.bytesSeen > 40);
		});
	});

	test('stops for good on 204 No Content', async () => {
		await withClient((_request, response) => {
			response.writeHead(204).end();
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('close').length === 1, 3000, 'close');
			assert.equal(sink.of('close')[0]!.final, true);
			await new Promise(resolve => setTimeout(resolve, 300));
			assert.equal(server.requests.length, 1, 'no reconnect after 204');
			assert.equal(sink.of('reconnect').length, 0);
		});
	});

	test('a wrong content type is an error and the body is not parsed', async () => {
		await withClient((_request, response) => {
			response.writeHead(200, {'content-type': 'text/plain'}).end('data: not an event\n\n');
		}, {}, async ({sink, server}) => {
			await waitFor(() => server.requests.length >= 2, 3000, 'a retry');
			const [error] = sink.of('error');
			assert.equal(error!.error, 'content-type');
			assert.match(error!.message, /text\/plain/);
			assert.equal(sink.of('event').length, 0);
			assert.equal(sink.of('open').length, 0);
		});
	});

	test('a 500 is an error and the backoff grows with each failure', async () => {
		await withClient((_request, response) => {
			response.writeHead(500).end('boom');
		}, {retryMs: 40}, async ({sink, server}) => {
			await waitFor(() => server.requests.length >= 5, 5000, 'five attempts');
			const errors = sink.of('error');
			assert.ok(errors.every(error => error.error === 'status' && error.status === 500));
			const delays = sink.of('reconnect').map(reconnect => reconnect.delayMs);
			// Equal jitter: the n-th delay lies in [40·2^(n-1)/2, 40·2^(n-1)].
			for (const [index, delay] of delays.slice(0, 4).entries()) {
				const ceiling = 40 * (2 ** index);
				assert.ok(delay >= ceiling / 2 && delay <= ceiling, `delay ${index + 1} was ${delay}ms, expected ${ceiling / 2}-${ceiling}ms`);
			}

			const gaps = server.requests.slice(1).map((request, index) => request.at - server.requests[index]!.at);
			assert.ok(gaps[3]! > gaps[0]!, `gaps should grow: ${gaps.map(Math.round).join(', ')}`);
		});
	});

	test('no response headers within --timeout is a timeout error', async () => {
		await withClient(() => {
			// Never answer.
		}, {timeoutMs: 200}, async ({sink}) => {
			await waitFor(() => sink.of('error').length >= 1, 3000, 'timeout error');
			assert.equal(sink.of('error')[0]!.error, 'timeout');
			assert.match(sink.of('error')[0]!.message, /200ms/);
		});
	});

	test('follows redirects to the stream', async () => {
		await withClient((request, response) => {
			if (request.url === '/stream') {
				response.writeHead(307, {location: '/moved'}).end();
				return;
			}

			eventStreamHeaders(response);
			response.write('data: after redirect\n\n');
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'event');
			assert.equal(sink.of('event')[0]!.data, 'after redirect');
			assert.deepEqual(server.requests.map(request => request.path), ['/stream', '/moved']);
		});
	});

	test('a line past --max-event-size is an error, not unbounded memory, and the client reconnects', async () => {
		await withClient((_request, response, attempt) => {
			eventStreamHeaders(response);
			if (attempt === 1) {
				response.write('data: ' + 'x'.repeat(10_000));
			}
		}, {maxEventSize: 1024}, async ({sink, server}) => {
			await waitFor(() => server.requests.length >= 2, 3000, 'reconnect');
			assert.equal(sink.of('error')[0]!.error, 'too-large');
		});
	});

	test('a refused connection is a connect error', async () => {
		const probe = createServer();
		await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
		const {port} = probe.address() as AddressInfo;
		await new Promise<void>(resolve => probe.close(() => resolve()));
		const sink = createRecordingSink();
		const client = createSseClient({id: 3, url: `http://127.0.0.1:${port}/stream`, headers: {}, dispatcher, sink, timeoutMs: 1000, retryMs: 50, maxBackoffMs: 1000, maxEventSize: 1024});
		client.start();
		await waitFor(() => sink.of('error').length >= 1, 3000, 'connect error');
		await client.stop();
		assert.equal(sink.of('error')[0]!.error, 'connect');
		assert.match(sink.of('error')[0]!.message, /ECONNREFUSED/);
		assert.equal(sink.events.at(-1)!.kind, 'close');
	});

	test('stop() closes the open stream and emits a final close', async () => {
		let closed = false;
		await withClient((request, response) => {
			eventStreamHeaders(response);
			request.on('close', () => {
				closed = true;
			});
		}, {}, async ({sink}) => {
			await waitFor(() => sink.of('open').length === 1, 3000, 'open');
		});
		await waitFor(() => closed, 2000, 'server to see the close');
	});

	test('computes latency from a sent_at field', async () => {
		await withClient((_request, response) => {
			eventStreamHeaders(response);
			response.write(`data: {"x":1,"sent_at":${Date.now() - 50}}\n\n`);
		}, {}, async ({sink}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'event');
			const latency = sink.of('event')[0]!.latencyMs!;
			assert.ok(latency >= 49 && latency < 2000, `latency ${latency}`);
		});
	});
});
