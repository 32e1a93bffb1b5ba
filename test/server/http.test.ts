import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {maxTriggerCount} from '../../server/http-routes.js';
import {openRawSse, rawExchange, startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';

describe('HTTP endpoints', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer();
	});
	after(async () => {
		await server.close();
	});

	test('GET /health answers OK as text', async () => {
		const response = await fetch(`${server.url}/health`);
		assert.equal(response.status, 200);
		assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
		assert.equal(await response.text(), 'OK');
	});

	test('GET /dashboard/debug has the Go server fields plus connection counts', async () => {
		const response = await fetch(`${server.url}/dashboard/debug`);
		assert.equal(response.status, 200);
		const body = (await response.json()) as Record<string, unknown>;
		assert.equal(typeof body['current_time'], 'string');
		assert.ok(!Number.isNaN(Date.parse(body['current_time'] as string)));
		assert.equal(body['server'], 'sse-tui serve');
		assert.equal(body['status'], 'running');
		assert.deepEqual(body['connections'], {sse: 0, cable: 0, ws: 0, total: 0});
	});

	test('GET /dashboard/stats has the Go server shape plus cable, ws and drops', async () => {
		const response = await fetch(`${server.url}/dashboard/stats`);
		assert.equal(response.headers.get('access-control-allow-origin'), '*');
		const body = (await response.json()) as Record<string, any>;
		assert.deepEqual(Object.keys(body.server).sort(), ['name', 'started', 'status', 'uptime', 'uptime_ms']);
		for (const protocol of ['sse', 'websocket', 'cable', 'ws']) {
			assert.deepEqual(Object.keys(body.connections[protocol]).sort(), ['current', 'messages', 'total'], protocol);
		}

		assert.deepEqual(body.redis, {messages_received: 0});
		assert.deepEqual(body.drops, {slow_consumer: 0, by_bytes: 0, by_time: 0, dead_peer: 0});
		assert.equal(typeof body.timestamp, 'string');
		assert.equal(typeof body.broadcasts, 'number');
	});

	test('OPTIONS preflight is answered 204 with CORS headers', async () => {
		const response = await fetch(`${server.url}/dashboard/stream`, {
			method: 'OPTIONS',
			headers: {Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'last-event-id'},
		});
		assert.equal(response.status, 204);
		assert.equal(response.headers.get('access-control-allow-origin'), '*');
		assert.match(response.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/);
		assert.match(response.headers.get('access-control-allow-headers') ?? '', /Cache-Control/);
	});

	test('unknown paths get a 404 JSON body listing the endpoints', async () => {
		const response = await fetch(`${server.url}/nope?x=1`);
		assert.equal(response.status, 404);
		assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
		const body = (await response.json()) as {error: string; path: string; endpoints: string[]};
		assert.equal(body.path, '/nope');
		assert.ok(body.endpoints.includes('/dashboard/stream'));
	});

	test('a wrong method gets 405 with Allow', async () => {
		const response = await fetch(`${server.url}/health`, {method: 'DELETE'});
		assert.equal(response.status, 405);
		assert.equal(response.headers.get('allow'), 'GET');
		await response.arrayBuffer();
	});

	test('trigger-test broadcasts TestPubsubJob-shaped updates to SSE subscribers', async () => {
		const sse = await openRawSse(server.url);
		try {
			await waitFor(() => server.stats().sse.current === 1, 'the subscriber');
			const response = await fetch(`${server.url}/dashboard/trigger-test?count=3&pad=10`, {method: 'POST'});
			assert.equal(response.status, 200);
			const body = (await response.json()) as Record<string, any>;
			assert.equal(body.count, 3);
			assert.equal(body.deliveries, 3);
			assert.deepEqual(body.subscribers, {sse: 1, cable: 0, ws: 0});
			await waitFor(() => sse.events().length === 3, 'three events');
			const update = JSON.parse(sse.events()[0]!.data) as Record<string, any>;
			assert.deepEqual(Object.keys(update).sort(), ['activities', 'job_id', 'message', 'metrics', 'pad', 'random_value', 'sent_at', 'timestamp', 'type']);
			assert.equal(update.type, 'test_update');
			assert.match(update.timestamp, /^\d\d:\d\d:\d\d$/);
			assert.equal(typeof update.random_value, 'number');
			assert.equal(update.pad, 'x'.repeat(10));
			assert.ok(Math.abs(update.sent_at - Date.now()) < 5000);
			assert.deepEqual(Object.keys(update.metrics).sort(), ['cpu', 'disk', 'memory', 'network', 'response_time']);
			assert.deepEqual(Object.keys(update.activities[0]).sort(), ['css_class', 'level', 'message', 'time']);
		} finally {
			sse.close();
		}
	});

	test('trigger-test rejects counts above the cap with a 400 naming the limit', async () => {
		const response = await fetch(`${server.url}/dashboard/trigger-test?count=${maxTriggerCount + 1}`, {method: 'POST'});
		assert.equal(response.status, 400);
		const body = (await response.json()) as {error: string};
		assert.match(body.error, /count must be a whole number from 0 to 100000/);
		const pad = await fetch(`${server.url}/dashboard/trigger-test?pad=-1`, {method: 'POST'});
		assert.equal(pad.status, 400);
		await pad.arrayBuffer();
	});

	test('trigger-test with run=ID&seq=N numbers its updates N, N+1, ... of that run, sent_at last', async () => {
		const sse = await openRawSse(server.url);
		try {
			await waitFor(() => server.stats().sse.current === 1, 'the subscriber');
			const response = await fetch(`${server.url}/dashboard/trigger-test?count=3&run=load_7-b&seq=41`, {method: 'POST'});
			assert.equal(response.status, 200);
			const body = (await response.json()) as Record<string, any>;
			assert.equal(body.run, 'load_7-b');
			assert.equal(body.seq, 41);
			await waitFor(() => sse.events().length === 3, 'three events');
			const texts = sse.events().map(event => event.data);
			assert.ok(texts.every(text => /,"seq":\d+,"run":"load_7-b","sent_at":\d+\}$/.test(text)), texts[0]);
			assert.deepEqual(texts.map(text => (JSON.parse(text) as {seq: number}).seq), [41, 42, 43]);

			const plain = await fetch(`${server.url}/dashboard/trigger-test?run=r1`, {method: 'POST'});
			assert.equal(((await plain.json()) as {seq: number}).seq, 1, 'seq defaults to 1');
			await waitFor(() => sse.events().length === 4, 'the fourth event');
			assert.equal((JSON.parse(sse.events()[3]!.data) as {seq: number}).seq, 1);
		} finally {
			sse.close();
		}
	});

	test('trigger-test rejects a bad run or seq with a 400 naming the fix', async () => {
		const cases: Array<[string, RegExp]> = [
			['run=has%20space', /^run must be 1-64 characters of A-Z, a-z, 0-9, _ and - \(got "has space"\)$/],
			['run=', /^run must be 1-64 characters/],
			[`run=${'x'.repeat(65)}`, /^run must be 1-64 characters/],
			['run=a%2Fb', /^run must be 1-64 characters/],
			['run=a&seq=0', /^seq must be a whole number from 1 to /],
			['run=a&seq=1.5', /^seq must be a whole number from 1 to /],
			['run=a&seq=-1', /^seq must be a whole number from 1 to /],
			['seq=5', /^seq numbers the updates of a run: add run=ID$/],
		];
		for (const [query, message] of cases) {
			const response = await fetch(`${server.url}/dashboard/trigger-test?${query}`, {method: 'POST'});
			assert.equal(response.status, 400, query);
			assert.match(((await response.json()) as {error: string}).error, message, query);
		}
	});

	test('garbage bytes get a 400 and the server stays up', async () => {
		const reply = await rawExchange(server.url, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]));
		assert.match(reply, /^HTTP\/1\.1 400 /);
		const invalid = await rawExchange(server.url, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
		assert.match(invalid, /^HTTP\/1\.1 400 /);
		const response = await fetch(`${server.url}/health`);
		assert.equal(await response.text(), 'OK');
		assert.ok(server.stats().clientErrors >= 2);
	});

	test('oversized headers get 431', async () => {
		const reply = await rawExchange(server.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
		assert.match(reply, /^HTTP\/1\.1 431 /);
	});

	test('an upgrade to an unknown path is refused with 404', async () => {
		const reply = await rawExchange(server.url, 'GET /other HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
		assert.match(reply, /^HTTP\/1\.1 404 /);
		assert.match(reply, /use \/cable/);
	});
});

describe('HTTP timeouts', () => {
	test('requestTimeout ends a slow request but not a long SSE stream', async () => {
		const server = await startTestServer({requestTimeoutMs: 300, heartbeatMs: 100});
		try {
			const sse = await openRawSse(server.url);
			const {hostname, port} = new URL(server.url);
			const slow = await import('node:net').then(net => net.connect({host: hostname, port: Number(port)}));
			let slowReply = '';
			slow.on('data', chunk => {
				slowReply += chunk.toString();
			});
			slow.on('error', () => {});
			slow.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // Headers never finish.
			await waitFor(() => slow.destroyed || slowReply !== '', 'the slow request to be cut', 3000);
			assert.match(slowReply, /^HTTP\/1\.1 408 /);
			await new Promise(resolve => {
				setTimeout(resolve, 900); // Three times the request timeout.
			});
			assert.equal(sse.closed(), false, 'the SSE stream is still open');
			assert.ok(sse.comments().length >= 5, 'and still receiving heartbeats');
			sse.close();
			slow.destroy();
		} finally {
			await server.close();
		}
	});
});
