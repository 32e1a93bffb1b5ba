import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {describe, test} from 'node:test';
import {openRawSse, startTestServer, waitFor} from '../helpers/server-start.js';

const ids = (events: Array<{id?: string}>): string[] => events.map(event => event.id ?? '');

describe('GET /dashboard/stream', () => {
	test('flushes the headers and the retry hint at once, then exact frames', async () => {
		const server = await startTestServer();
		try {
			const sse = await openRawSse(server.url);
			await waitFor(() => sse.body().length > 0, 'the first bytes');
			const head = sse.head().split('\r\n');
			assert.equal(head[0], 'HTTP/1.1 200 OK');
			const headers = new Map(head.slice(1).map(line => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 2)]));
			assert.equal(headers.get('content-type'), 'text/event-stream; charset=utf-8');
			assert.equal(headers.get('cache-control'), 'no-cache');
			assert.equal(headers.get('connection'), 'keep-alive');
			assert.equal(headers.get('x-accel-buffering'), 'no');
			assert.equal(headers.get('access-control-allow-origin'), '*');
			assert.equal(headers.has('transfer-encoding'), false, 'the body is the bare event stream');
			assert.equal(sse.body(), 'retry: 3000\n\n');

			server.broadcast({hello: 'wörld'});
			server.broadcast({n: 2});
			await waitFor(() => sse.events().length === 2, 'two events');
			assert.equal(sse.body(), 'retry: 3000\n\nid: 1\ndata: {"hello":"wörld"}\n\nid: 2\ndata: {"n":2}\n\n');
			sse.close();
		} finally {
			await server.close();
		}
	});

	test('sends dashboard updates in the seeds\' shape every --interval, and heartbeats', async () => {
		const server = await startTestServer({intervalMs: 60, heartbeatMs: 50});
		try {
			const sse = await openRawSse(server.url);
			await waitFor(() => sse.events().length >= 3 && sse.comments().length >= 2, 'updates and heartbeats');
			sse.close();
			const events = sse.events();
			assert.deepEqual(ids(events).slice(0, 3), ['1', '2', '3']);
			assert.ok(sse.comments().every(comment => comment === ': heartbeat'));
			const update = JSON.parse(events[0]!.data) as Record<string, any>;
			assert.deepEqual(Object.keys(update).sort(), ['activities', 'metrics', 'sent_at', 'system_status', 'timestamp']);
			assert.deepEqual(Object.keys(update.system_status).sort(), ['last_check', 'message', 'status', 'uptime']);
			assert.equal(update.system_status.status, 'online');
			assert.deepEqual(Object.keys(update.metrics).sort(), ['cpu', 'disk', 'memory', 'network', 'response_time']);
			assert.match(update.metrics.cpu, /^\d+%$/);
			assert.match(update.timestamp, /^\d\d:\d\d:\d\d$/);
			assert.deepEqual(Object.keys(update.activities[0]).sort(), ['css_class', 'level', 'message', 'time']);
			assert.equal(typeof update.sent_at, 'number');
			assert.ok(Math.abs(update.sent_at - Date.now()) < 5000);
		} finally {
			await server.close();
		}
	});

	test('a reconnect with Last-Event-ID receives exactly the missed events', async () => {
		const server = await startTestServer({replay: 100});
		try {
			const first = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 1, 'the subscriber');
			for (let index = 1; index <= 5; index++) {
				server.broadcast({index});
			}

			await waitFor(() => first.events().length === 5, 'ids 1..5');
			first.close();
			await waitFor(() => server.stats().sse.current === 0, 'the disconnect');
			for (let index = 6; index <= 9; index++) {
				server.broadcast({index});
			}

			const resumed = await openRawSse(server.url, '/dashboard/stream', {'Last-Event-ID': '5'});
			await waitFor(() => resumed.events().length === 4, 'the four missed events');
			server.broadcast({index: 10});
			await waitFor(() => resumed.events().length === 5, 'the live event');
			assert.deepEqual(ids(resumed.events()), ['6', '7', '8', '9', '10']);
			assert.deepEqual(resumed.events().map(event => (JSON.parse(event.data) as {index: number}).index), [6, 7, 8, 9, 10]);
			resumed.close();

			// Browsers' polyfills cannot set headers: the same through ?lastEventId=.
			const viaQuery = await openRawSse(server.url, '/dashboard/stream?lastEventId=8');
			await waitFor(() => viaQuery.events().length === 2, 'events 9 and 10');
			assert.deepEqual(ids(viaQuery.events()), ['9', '10']);
			viaQuery.close();
			assert.equal(server.stats().replay.resumes, 2);
		} finally {
			await server.close();
		}
	});

	test('an evicted Last-Event-ID gets everything still held, with a gap comment', async () => {
		const server = await startTestServer({replay: 3});
		try {
			for (let index = 1; index <= 10; index++) {
				server.broadcast({index});
			}

			const sse = await openRawSse(server.url, '/dashboard/stream', {'Last-Event-ID': '2'});
			await waitFor(() => sse.events().length === 3, 'the held events');
			assert.deepEqual(ids(sse.events()), ['8', '9', '10']);
			assert.match(sse.comments()[0] ?? '', /^: replay gap/);
			assert.equal(server.stats().replay.gaps, 1);
			sse.close();
		} finally {
			await server.close();
		}
	});

	test('curl -sN receives the same bytes', async () => {
		const server = await startTestServer();
		try {
			const curl = spawn('curl', ['-sN', '--max-time', '5', `${server.url}/dashboard/stream`]);
			let output = '';
			curl.stdout.setEncoding('utf8').on('data', (chunk: string) => {
				output += chunk;
			});
			try {
				await waitFor(() => server.stats().sse.current === 1, 'curl to connect');
				server.broadcast({from: 'curl test'});
				const expected = 'retry: 3000\n\nid: 1\ndata: {"from":"curl test"}\n\n';
				await waitFor(() => output.length >= expected.length, 'curl to print the event');
				assert.equal(output, expected);
			} finally {
				curl.kill();
			}
		} finally {
			await server.close();
		}
	});

	test('beyond --max-connections new streams get 503', async () => {
		const server = await startTestServer({maxConnections: 2});
		try {
			const a = await openRawSse(server.url);
			const b = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 2, 'two streams');
			const response = await fetch(`${server.url}/dashboard/stream`);
			assert.equal(response.status, 503);
			assert.equal(response.headers.get('retry-after'), '5');
			assert.deepEqual(await response.json(), {error: 'too many connections', max_connections: 2});
			assert.equal(server.stats().rejected.capacity, 1);
			a.close();
			await waitFor(() => server.stats().sse.current === 1, 'a slot to free up');
			const c = await openRawSse(server.url);
			await waitFor(() => c.body().startsWith('retry:'), 'the third stream');
			b.close();
			c.close();
		} finally {
			await server.close();
		}
	});

	test('a stalled reader is dropped while another subscriber keeps receiving', async () => {
		const maxBuffer = 256 * 1024;
		const server = await startTestServer({maxBuffer, replay: 10});
		try {
			const stalled = await openRawSse(server.url, '/dashboard/stream', {}, {read: false});
			const healthy = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 2, 'both streams');
			const pad = 'x'.repeat(16 * 1024);
			// Kernel buffers on loopback hold some MB before Node starts buffering; bounded loop.
			// Four 16 KiB events per round stay well under the healthy reader's 256 KiB allowance.
			for (let round = 1; round <= 1000 && server.stats().drops.slowConsumer === 0; round++) {
				for (let index = 0; index < 4; index++) {
					server.broadcast({round, pad});
				}

				const id = server.stats().replay.lastId;
				await waitFor(() => healthy.body().includes(`id: ${id}\n`), `event ${id} at the healthy reader`);
			}

			assert.equal(server.stats().drops.slowConsumer, 1);
			await waitFor(() => server.stats().sse.current === 1, 'the stalled stream to be gone');
			const last = Number(server.stats().replay.lastId);
			server.broadcast({round: 'last', pad: ''});
			await waitFor(() => healthy.events().length === last + 1, 'the healthy reader to get everything');
			assert.equal(healthy.closed(), false);
			assert.match(server.logs(), /subscriber dropped.*reason=slow-consumer/);
			stalled.close();
			healthy.close();
		} finally {
			await server.close();
		}
	});

	test('close() ends every stream', async () => {
		const server = await startTestServer();
		const sse = await openRawSse(server.url);
		await waitFor(() => server.stats().sse.current === 1, 'the stream');
		const started = Date.now();
		await server.close();
		await waitFor(() => sse.closed(), 'the stream to end');
		assert.ok(Date.now() - started < 900, 'without waiting for the forced phase');
	});
});

describe('robustness', () => {
	test('garbage sent up an open SSE stream ends that stream only', async () => {
		const server = await startTestServer();
		try {
			const bad = await openRawSse(server.url);
			const good = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 2, 'two streams');
			bad.socket.write('\x00\x01 not http at all\r\n\r\n');
			await waitFor(() => bad.closed(), 'the bad stream to be closed');
			assert.equal(bad.body(), 'retry: 3000\n\n', 'no 400 response written into the stream');
			server.broadcast({still: 'up'});
			await waitFor(() => good.events().length === 1, 'the good stream to receive');
			good.close();
		} finally {
			await server.close();
		}
	});

	test('JSON logs are one object per line and never carry request headers', async () => {
		const server = await startTestServer({logLevel: 'debug', jsonLogs: true});
		try {
			const sse = await openRawSse(server.url, '/dashboard/stream', {Authorization: 'Bearer secret-token', Cookie: 'session=secret-cookie'});
			await waitFor(() => server.stats().sse.current === 1, 'the stream');
			sse.close();
			await waitFor(() => server.stats().sse.current === 0, 'the close');
		} finally {
			await server.close();
		}

		const lines = server.logs().trim().split('\n');
		assert.ok(lines.length >= 3);
		for (const line of lines) {
			const entry = JSON.parse(line) as Record<string, unknown>;
			assert.equal(typeof entry['time'], 'string');
			assert.match(String(entry['level']), /^(error|warn|info|debug)$/);
			assert.equal(typeof entry['msg'], 'string');
		}

		assert.ok(lines.some(line => line.includes('"msg":"sse connected"')));
		assert.doesNotMatch(server.logs(), /secret/);
	});
});
