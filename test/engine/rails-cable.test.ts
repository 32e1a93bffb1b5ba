import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {createCableClient, type CableClientOptions} from '../../source/engine/cable-client.js';
import type {Client, ClientEvent, ClientSink} from '../../source/engine/types.js';
import {waitFor} from '../helpers/http-server.js';
import {missingRails, startPuma, stopProcess} from '../helpers/rails.js';
import {cableSubprotocols} from '../../source/engine/cable-protocol.js';

const clientCount = 5;

type Timed = {at: number; event: ClientEvent};

function timedSink(): ClientSink & {events: Timed[]; of<K extends ClientEvent['kind']>(kind: K, client?: number): Array<Extract<ClientEvent, {kind: K}>>; timesOf(kind: ClientEvent['kind'], client: number): number[]} {
	const events: Timed[] = [];
	return {
		events,
		emit(event) {
			events.push({at: performance.now(), event});
		},
		bytes() {
			// Counted by the engine tests; here only the protocol matters.
		},
		of(kind, client) {
			return events.filter(({event}) => event.kind === kind && (client === undefined || event.client === client)).map(({event}) => event) as never;
		},
		timesOf(kind, client) {
			return events.filter(({event}) => event.kind === kind && event.client === client).map(({at}) => at);
		},
	};
}

const skip = missingRails();

describe('against a real Rails ActionCable server (puma, async adapter)', {skip}, () => {
	let puma: Awaited<ReturnType<typeof startPuma>>;
	const clients: Client[] = [];

	before(async () => {
		puma = await startPuma();
	});

	after(async () => {
		await Promise.all(clients.map(async client => client.stop()));
		if (puma) {
			await stopProcess(puma.process);
		}
	});

	function connect(id: number, sink: ClientSink, options: Partial<CableClientOptions> = {}): Client {
		const client = createCableClient({
			id, url: `ws://127.0.0.1:${puma.port}/cable`, headers: {}, origin: `http://127.0.0.1:${puma.port}`, subprotocols: [...cableSubprotocols],
			channel: 'DashboardUpdatesChannel', channelParams: {}, sink,
			timeoutMs: 5000, retryMs: 500, maxBackoffMs: 5000, maxPayload: 1 << 20, compression: false, insecure: false,
			...options,
		});
		clients.push(client);
		void client.start();
		return client;
	}

	test(`${clientCount} clients get welcome, confirmation, pings every ~3 s and every broadcast`, async () => {
		const sink = timedSink();
		const ids = Array.from({length: clientCount}, (_, index) => index + 1);
		for (const id of ids) {
			connect(id, sink);
		}

		await waitFor(() => sink.of('confirm').length === clientCount, 10_000, 'every subscription confirmed');
		for (const id of ids) {
			assert.equal(sink.of('welcome', id).length, 1, `client ${id} welcome`);
			assert.equal(sink.of('confirm', id)[0]!.identifier, '{"channel":"DashboardUpdatesChannel"}');
		}

		const response = await fetch(`http://127.0.0.1:${puma.port}/broadcast?n=42`);
		assert.equal(response.status, 200);
		await waitFor(() => sink.of('event').length === clientCount, 5000, 'the broadcast at every client');
		for (const id of ids) {
			const [event] = sink.of('event', id);
			const message = JSON.parse(event!.data) as {type: string; random_value: number; sent_at: number};
			assert.deepEqual({type: message.type, value: message.random_value}, {type: 'test_update', value: 42});
			const latency = event!.latencyMs;
			assert.ok(latency !== undefined && latency >= 0 && latency < 5000, `latency ${event!.latencyMs}`);
		}

		// Rails beats every 3 s for all connections, on a timer started by the first connection
		// (`@heartbeat_timer ||= event_loop.timer(3)`, not thread-safe: concurrent first connects
		// under puma can start two timers). So count beats over a window: at least one per 3 s,
		// and every client sees the same beats.
		await waitFor(() => ids.every(id => sink.of('heartbeat', id).length >= 2), 8000, 'two pings at every client');
		await new Promise(resolve => setTimeout(resolve, 1500));
		const since = Math.max(...ids.map(id => sink.timesOf('confirm', id)[0]!));
		const expected = Math.floor((performance.now() - since) / 3000);
		const counts = ids.map(id => sink.timesOf('heartbeat', id).filter(time => time >= since).length);
		for (const [index, count] of counts.entries()) {
			assert.ok(count >= expected - 1, `client ${ids[index]}: ${count} pings in ${Math.round(performance.now() - since)}ms, expected at least one per 3 s`);
			assert.ok(Math.abs(count - counts[0]!) <= 1, `clients see the same beats: ${counts.join(', ')}`);
			assert.equal(sink.of('heartbeat', ids[index])[0]!.source, 'cable-ping');
		}

		assert.deepEqual(sink.of('error'), [], puma.output());
		assert.equal(sink.of('reconnect').length, 0);
	});

	test('an Origin the server does not allow fails with a readable 404', async () => {
		const sink = timedSink();
		const client = connect(100, sink, {origin: 'http://evil.example', retryMs: 10_000});
		await waitFor(() => sink.of('error').length >= 1, 5000, 'the refused upgrade');
		await client.stop();
		const [error] = sink.of('error');
		assert.equal(error!.error, 'status');
		assert.equal(error!.status, 404);
		assert.equal(error!.message, 'upgrade refused: HTTP 404 Not Found: "Page not found" (if the server checks Origin, the Origin sent was http://evil.example)');
		assert.equal(sink.of('open').length, 0);
	});

	test('a connection the app rejects gets disconnect unauthorized and stops for good', async () => {
		const sink = timedSink();
		const client = connect(200, sink, {url: `ws://127.0.0.1:${puma.port}/cable?reject=1`});
		await waitFor(() => sink.of('close').length >= 1, 5000, 'the final close');
		assert.deepEqual(sink.of('disconnect').map(({reason, reconnect}) => ({reason, reconnect})), [{reason: 'unauthorized', reconnect: false}]);
		assert.deepEqual(sink.of('close')[0], {kind: 'close', client: 200, reason: 'server disconnected: unauthorized, not reconnecting', final: true, failed: true});
		assert.equal(sink.of('reconnect').length, 0);
		await client.stop();
	});
});
