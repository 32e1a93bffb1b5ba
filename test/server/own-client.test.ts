import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createCableClient} from '../../source/engine/cable-client.js';
import {createSseClient} from '../../source/engine/sse-client.js';
import type {ClientEvent, ClientSink} from '../../source/engine/types.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {cableSubprotocols} from '../../source/engine/cable-protocol.js';

function recordingSink(): ClientSink & {events: ClientEvent[]} {
	const events: ClientEvent[] = [];
	return {events, emit: event => events.push(event), bytes() {}};
}

test("the project's own SSE client receives ids, the retry hint and heartbeats", async () => {
	const server = await startTestServer({replay: 100, heartbeatMs: 50});
	const sink = recordingSink();
	const client = createSseClient({
		id: 1,
		url: `${server.url}/dashboard/stream`,
		headers: {},
		insecure: false,
		sink,
		timeoutMs: 2000,
		retryMs: 50,
		maxBackoffMs: 200,
		maxEventSize: 1024 * 1024,
	});
	try {
		client.start();
		await waitFor(() => server.stats().sse.current === 1, 'the client to connect');
		server.broadcast({n: 1});
		server.broadcast({n: 2});
		const received = (): Array<Extract<ClientEvent, {kind: 'event'}>> => sink.events.filter((event): event is Extract<ClientEvent, {kind: 'event'}> => event.kind === 'event');
		await waitFor(() => received().length === 2, 'two events');
		assert.ok(sink.events.some(event => event.kind === 'retry' && event.retryMs === 3000));
		await waitFor(() => sink.events.some(event => event.kind === 'comment'), 'a heartbeat comment');

		server.broadcast({n: 3});
		await waitFor(() => received().length === 3, 'the third event');
		assert.deepEqual(received().map(event => event.id), ['1', '2', '3']);
		assert.deepEqual(received().map(event => (JSON.parse(event.data) as {n: number}).n), [1, 2, 3]);
		assert.ok(received().every(event => event.latencyMs === undefined || event.latencyMs >= 0));
		assert.ok(!sink.events.some(event => event.kind === 'error'), JSON.stringify(sink.events.filter(event => event.kind === 'error')));
	} finally {
		await client.stop();
		await server.close();
	}
});

test("the project's own ActionCable client subscribes and receives broadcasts and pings", async () => {
	const server = await startTestServer({cablePingMs: 50});
	const sink = recordingSink();
	const client = createCableClient({
		id: 1,
		url: `${server.url.replace('http', 'ws')}/cable`,
		headers: {},
		origin: undefined,
		subprotocols: [...cableSubprotocols],
		channel: 'DashboardUpdatesChannel',
		channelParams: {},
		sink,
		timeoutMs: 2000,
		retryMs: 50,
		maxBackoffMs: 200,
		maxPayload: 1024 * 1024,
		compression: false,
		insecure: false,
	});
	try {
		client.start();
		await waitFor(() => sink.events.some(event => event.kind === 'confirm'), 'the confirmation');
		server.broadcast({type: 'test_update', sent_at: Date.now()});
		await waitFor(() => sink.events.some(event => event.kind === 'event'), 'the broadcast');
		await waitFor(() => sink.events.filter(event => event.kind === 'heartbeat').length >= 2, 'pings');
		assert.ok(sink.events.some(event => event.kind === 'welcome'));
		assert.ok(!sink.events.some(event => event.kind === 'error'), JSON.stringify(sink.events.filter(event => event.kind === 'error')));
	} finally {
		await client.stop();
		await server.close();
	}
});
