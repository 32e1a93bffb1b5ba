import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {echoParams} from '../../server/echo-endpoint.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';

let server: TestServer;

before(async () => {
	server = await startTestServer();
});

after(async () => {
	await server.close();
});

describe('POST /stream/echo', () => {
	test('streams N events at the pace asked, the request back in the first, then data: [DONE]', async () => {
		const started = performance.now();
		const response = await fetch(`${server.url}/stream/echo`, {method: 'POST', body: JSON.stringify({events: 3, interval: '30ms', event: 'token', prompt: 'hi'})});
		assert.equal(response.status, 200);
		assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
		const text = await response.text();
		const elapsed = performance.now() - started;
		const frames = text.trim().split('\n\n');
		assert.equal(frames.length, 4);
		assert.equal(frames.at(-1), 'data: [DONE]');
		assert.match(frames[0]!, /^id: 1\nevent: token\ndata: \{"i":1,"n":3,"request":\{"events":3,"interval":"30ms","event":"token","prompt":"hi"\},"sent_at":\d+\}$/);
		assert.ok(elapsed >= 55, `three events 30 ms apart took ${elapsed} ms`);
	});

	test('GET with the query works too, and cut_after ends the connection without the final chunk', async () => {
		const whole = await (await fetch(`${server.url}/stream/echo?events=2&interval=0`)).text();
		assert.equal(whole.split('\n\n').filter(Boolean).length, 3);
		const cut = await fetch(`${server.url}/stream/echo?events=5&interval=0&cut_after=2`);
		await assert.rejects(cut.text(), /terminated|other side closed|aborted/i);
	});

	test('bad bodies and parameters are a 400 with a JSON error, and the server stays up', async () => {
		const cases: Array<[string, RegExp]> = [
			['{not json', /the body must be JSON/],
			['{"events": -1}', /events must be a whole number from 0 to 100000/],
			['{"events": 100001}', /events must be a whole number/],
			['{"interval": "forever"}', /interval must be 0 to 10000ms/],
			['{"delay": 600000}', /delay must be 0 to 60000ms/],
			['{"event": "bad\\nname"}', /event must be/],
			['{"size": 1e9}', /size must be a whole number/],
		];
		for (const [body, error] of cases) {
			const response = await fetch(`${server.url}/stream/echo`, {method: 'POST', body});
			assert.equal(response.status, 400, body);
			assert.match(((await response.json()) as {error: string}).error, error);
		}

		const big = await fetch(`${server.url}/stream/echo`, {method: 'POST', body: 'x'.repeat(70_000)});
		assert.equal(big.status, 413);
		assert.equal((await fetch(`${server.url}/stream/echo`, {method: 'PUT'})).status, 405);
		assert.equal(await (await fetch(`${server.url}/health`)).text(), 'OK');
	});

	test('the 404 lists it among the endpoints', async () => {
		const body = (await (await fetch(`${server.url}/nope`)).json()) as {endpoints: string[]};
		assert.ok(body.endpoints.includes('/stream/echo'));
	});

	test('echoParams: defaults and limits', () => {
		assert.deepEqual(echoParams({}), {events: 10, intervalMs: 10, delayMs: 0, size: 0, event: undefined, cutAfter: undefined, done: true});
		assert.equal((echoParams({events: '5', interval: '1.5s', done: false}) as {intervalMs: number}).intervalMs, 1500);
	});
});
