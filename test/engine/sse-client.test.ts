import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createServer} from 'node:net';
import type {AddressInfo} from 'node:net';
import {createSseClient, type SseClientOptions} from '../../source/engine/sse-client.js';
import {eventStreamHeaders, startTestServer, waitFor, type Handler} from '../helpers/http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';

async function withClient(handler: Handler, options: Partial<SseClientOptions>, body: (context: {sink: ReturnType<typeof createRecordingSink>; server: Awaited<ReturnType<typeof startTestServer>>}) => Promise<void>) {
	const server = await startTestServer(handler);
	const sink = createRecordingSink();
	const client = createSseClient({
		id: 1, url: server.url(), headers: {}, insecure: false, sink,
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

	test('an event id beyond latin1 comes back as Last-Event-ID in UTF-8, and the client keeps reconnecting', async () => {
		await withClient((_request, response, attempt) => {
			eventStreamHeaders(response);
			if (attempt < 3) {
				response.end('retry: 50\nid: 日本-1\ndata: x\n\n');
			}
		}, {}, async ({server}) => {
			await waitFor(() => server.requests.length === 3, 3000, 'a third request');
			// Node's server reads header bytes as latin1.
			const sent = Buffer.from(String(server.requests[1]!.headers['last-event-id']), 'latin1').toString('utf8');
			assert.equal(sent, '日本-1');
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

	test('a 200 text/plain body that never ends does not hold the client: error, then reconnect', async () => {
		await withClient((_request, response) => {
			response.writeHead(200, {'content-type': 'text/plain'});
			response.write('data: not an event\n\n');
			// Never ended.
		}, {}, async ({sink, server}) => {
			await waitFor(() => server.requests.length >= 2, 3000, 'a retry');
			assert.equal(sink.of('error')[0]!.error, 'content-type');
			assert.equal(sink.of('event').length, 0);
			assert.equal(sink.of('open').length, 0);
		});
	});

	test('a 500 whose body never ends is a status error, then reconnect', async () => {
		await withClient((_request, response) => {
			response.writeHead(500, {'content-type': 'text/plain'});
			response.write('still failing');
		}, {retryMs: 20}, async ({sink, server}) => {
			await waitFor(() => server.requests.length >= 2, 3000, 'a retry');
			assert.equal(sink.of('error')[0]!.error, 'status');
			assert.equal(sink.of('error')[0]!.status, 500);
		});
	});

	test('follows a relative redirect against the current URL, keeping the query', async () => {
		await withClient((request, response) => {
			if (request.url === '/stream') {
				response.writeHead(302, {location: 'a/b'}).end();
				return;
			}

			if (request.url === '/a/b') {
				response.writeHead(301, {location: '../c?x=1'}).end();
				return;
			}

			eventStreamHeaders(response);
			response.write('data: moved\n\n');
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('event').length === 1, 3000, 'event');
			assert.deepEqual(server.requests.map(request => request.path), ['/stream', '/a/b', '/c?x=1']);
			assert.equal(sink.of('open')[0]!.url, server.url());
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('a redirect loop is a connect error, then reconnect', async () => {
		await withClient((request, response) => {
			response.writeHead(307, {location: request.url === '/stream' ? '/other' : '/stream'}).end();
		}, {retryMs: 20}, async ({sink, server}) => {
			await waitFor(() => sink.of('error').length >= 2, 3000, 'two errors');
			assert.equal(sink.of('error')[0]!.error, 'connect');
			assert.match(sink.of('error')[0]!.message, /loop/i);
			assert.deepEqual(server.requests.slice(0, 2).map(request => request.path), ['/stream', '/other']);
		});
	});

	test('after 10 redirects the next one is a status error', async () => {
		await withClient((request, response) => {
			const hop = Number(request.url!.slice('/stream'.length) || 0);
			response.writeHead(308, {location: `/stream${hop + 1}`}).end();
		}, {retryMs: 5000}, async ({sink, server}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'an error');
			assert.equal(sink.of('error')[0]!.error, 'status');
			assert.equal(sink.of('error')[0]!.status, 308);
			assert.equal(sink.of('error')[0]!.message, 'HTTP 308: too many redirects (10)');
			assert.equal(server.requests.length, 11);
		});
	});

	test('a redirect to another origin drops the credentials but keeps Last-Event-ID', async () => {
		const target = await startTestServer((_request, response) => {
			eventStreamHeaders(response);
		});
		try {
			await withClient((_request, response, attempt) => {
				if (attempt === 1) {
					eventStreamHeaders(response);
					response.end('id: 5\ndata: x\n\n');
					return;
				}

				response.writeHead(302, {location: target.url('/elsewhere')}).end();
			}, {headers: {authorization: 'Bearer x', 'x-custom': 'kept'}}, async ({sink, server}) => {
				await waitFor(() => target.requests.length === 1 && sink.of('open').length === 2, 3000, 'the redirected stream');
				assert.equal(server.requests[1]!.headers.authorization, 'Bearer x');
				const {headers} = target.requests[0]!;
				assert.equal(headers.authorization, undefined);
				assert.equal(headers['x-custom'], 'kept');
				assert.equal(headers['last-event-id'], '5');
				assert.equal(headers.accept, 'text/event-stream');
			});
		} finally {
			await target.close();
		}
	});

	test('stop() while waiting for headers, or during the backoff sleep, ends the client at once with one final close', async () => {
		for (const answer of ['never', '500'] as const) {
			// eslint-disable-next-line no-await-in-loop
			const server = await startTestServer((_request, response) => {
				if (answer === '500') {
					response.writeHead(500).end();
				}
			});
			const sink = createRecordingSink();
			const client = createSseClient({id: 4, url: server.url(), headers: {}, insecure: false, sink, timeoutMs: 5000, retryMs: 10_000, maxBackoffMs: 10_000, maxEventSize: 1024});
			const running = client.start();
			try {
				// eslint-disable-next-line no-await-in-loop
				await waitFor(() => answer === 'never' ? server.requests.length === 1 : sink.of('reconnect').length === 1, 3000, 'the request');
				const stopped = performance.now();
				// eslint-disable-next-line no-await-in-loop
				await client.stop();
				// eslint-disable-next-line no-await-in-loop
				await running;
				assert.ok(performance.now() - stopped < 1000, `stop took ${performance.now() - stopped}ms`);
				assert.equal(sink.of('error').length, answer === 'never' ? 0 : 1);
				assert.deepEqual(sink.of('close').map(close => [close.reason, close.final]), [['stopped', true]]);
				assert.equal(sink.events.at(-1)!.kind, 'close');
			} finally {
				// eslint-disable-next-line no-await-in-loop
				await server.close();
			}
		}
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
		const client = createSseClient({id: 3, url: `http://127.0.0.1:${port}/stream`, headers: {}, insecure: false, sink, timeoutMs: 1000, retryMs: 50, maxBackoffMs: 1000, maxEventSize: 1024});
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
