import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createServer, type AddressInfo} from 'node:net';
import {createCableClient, type CableClientOptions} from '../../source/engine/cable-client.js';
import {MetricsStore} from '../../source/metrics/store.js';
import type {ClientEvent, ClientSink} from '../../source/engine/types.js';
import {waitFor} from '../helpers/http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';
import {speakCable, startWsTestServer, type CableScript, type WsTestServer, type WsTestServerOptions} from '../helpers/ws-test-server.js';
import {cableSubprotocols} from '../../source/engine/cable-protocol.js';

type Sink = ReturnType<typeof createRecordingSink>;
type Cable = ReturnType<typeof speakCable>;

function cableOptions(url: string, sink: ClientSink, options: Partial<CableClientOptions> = {}): CableClientOptions {
	return {
		id: 1, url, headers: {}, origin: 'http://127.0.0.1', subprotocols: [...cableSubprotocols],
		channel: 'DashboardUpdatesChannel', channelParams: {}, sink,
		timeoutMs: 2000, retryMs: 50, maxBackoffMs: 10_000, maxPayload: 1 << 20, compression: false, insecure: false,
		...options,
	};
}

/** A cable server scripted per test, one client against it; both are closed whatever happens. */
async function withCable(
	script: CableScript,
	options: Partial<CableClientOptions>,
	body: (context: {sink: Sink; server: WsTestServer; cables: Cable[]; ended: Promise<void>}) => Promise<void>,
	serverOptions: WsTestServerOptions = {},
) {
	const cables: Cable[] = [];
	const server = await startWsTestServer({
		onConnection(peer) {
			cables.push(speakCable(peer, script));
		},
		...serverOptions,
	});
	const sink = createRecordingSink();
	const client = createCableClient(cableOptions(server.url(), sink, options));
	const ended = client.start();
	try {
		await body({sink, server, cables, ended});
	} finally {
		await client.stop();
		await server.close();
	}
}

const kinds = (sink: Sink) => sink.events.map(event => event.kind);

describe('ActionCable client', () => {
	test('subscribes on welcome with the identifier string, counts the confirmation, pings and broadcasts', async () => {
		await withCable({pingEveryMs: 40}, {channelParams: {room: '1'}}, async ({sink, server, cables}) => {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			const [peer] = server.peers;
			assert.deepEqual(peer!.received, [String.raw`{"command":"subscribe","identifier":"{\"channel\":\"DashboardUpdatesChannel\",\"room\":\"1\"}"}`]);
			assert.equal(peer!.request.headers['sec-websocket-protocol'], 'actioncable-v1-json,actioncable-unsupported');
			assert.equal(peer!.request.headers.origin, 'http://127.0.0.1');
			assert.equal(sink.of('confirm')[0]!.identifier, '{"channel":"DashboardUpdatesChannel","room":"1"}');
			assert.deepEqual(kinds(sink).slice(0, 4), ['connecting', 'open', 'welcome', 'confirm']);
			assert.equal(sink.of('open')[0]!.status, 101);

			const sentAt = Date.now() - 30;
			cables[0]!.broadcast({type: 'test_update', random_value: 7, sent_at: sentAt});
			await waitFor(() => sink.of('event').length === 1, 3000, 'broadcast');
			const [event] = sink.of('event');
			assert.equal(event!.type, 'message');
			assert.equal(event!.data, `{"type":"test_update","random_value":7,"sent_at":${sentAt}}`);
			assert.equal(event!.id, '');
			assert.ok(event!.latencyMs! >= 29 && event!.latencyMs! < 2000, `latency ${event!.latencyMs}`);

			await waitFor(() => sink.of('heartbeat').length >= 3, 3000, 'three pings');
			assert.ok(sink.of('heartbeat').every(heartbeat => heartbeat.source === 'cable-ping'));
			assert.ok(sink.bytesSeen > 100);
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('a ping counts once as a heartbeat however it is spelled; a broken one is a protocol error', async () => {
		await withCable({}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			const socket = server.peers[0]!.socket;
			const bytesBefore = sink.bytesSeen;
			// Rails' own spelling (matched on the bytes), then others that take the JSON path.
			const pings = ['{"type":"ping","message":1700000000}', '{"message":1700000000,"type":"ping"}', '{"type":"ping","message":1.5,"x":[1]}', '{"type":"ping"}'];
			for (const ping of pings) {
				socket.send(ping);
			}

			socket.send('{"type":"ping","message":17');
			socket.send('{"type":"ping","message":1}!');
			socket.send(Buffer.from('{"type":"ping","message":1700000003}'), {binary: true});
			await waitFor(() => sink.of('heartbeat').length === 5 && sink.of('error').length === 2, 3000, 'five pings and two errors');
			assert.ok(sink.of('heartbeat').every(heartbeat => heartbeat.source === 'cable-ping'));
			assert.deepEqual(sink.of('error').map(error => error.error), ['protocol', 'protocol']);
			assert.match(sink.of('error')[0]!.message, /not JSON: \{"type":"ping","message":17$/);
			assert.equal(sink.bytesSeen - bytesBefore, [...pings, '{"type":"ping","message":17', '{"type":"ping","message":1}!', '{"type":"ping","message":1700000003}'].join('').length);
			assert.equal(sink.of('event').length, 0);
			assert.equal(server.attempts.length, 1);
		});
	});

	test('a rejected subscription is counted as a rejected error and the connection stays', async () => {
		await withCable({subscription: 'reject', pingEveryMs: 30}, {}, async ({sink}) => {
			const store = new MetricsStore();
			await waitFor(() => sink.of('reject').length === 1, 3000, 'reject');
			for (const event of sink.events) {
				store.emit(event);
			}

			assert.deepEqual(store.snapshot().errorsByKind, {rejected: 1});
			const pingsBefore = sink.of('heartbeat').length;
			await waitFor(() => sink.of('heartbeat').length > pingsBefore + 1, 3000, 'pings after the reject');
			assert.equal(sink.of('reconnect').length, 0);
		});
	});

	test('disconnect with reconnect:false stops the client for good', async () => {
		await withCable({}, {}, async ({sink, server, cables, ended}) => {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			cables[0]!.disconnect('unauthorized', false);
			await ended;
			assert.deepEqual(sink.of('disconnect').map(({reason, reconnect}) => ({reason, reconnect})), [{reason: 'unauthorized', reconnect: false}]);
			const [close] = sink.of('close');
			assert.equal(close!.final, true);
			assert.equal(close!.failed, true);
			assert.match(close!.reason, /unauthorized, not reconnecting/);
			assert.deepEqual(sink.of('error').map(error => error.error), ['rejected']);
			await new Promise(resolve => setTimeout(resolve, 200));
			assert.equal(server.attempts.length, 1, 'no reconnect');
			assert.equal(sink.of('reconnect').length, 0);
		});
	});

	test('disconnect with reconnect:true reconnects after retryMs and subscribes again', async () => {
		await withCable({}, {retryMs: 100}, async ({sink, server, cables}) => {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			cables[0]!.disconnect('server_restart', true);
			await waitFor(() => sink.of('confirm').length === 2, 3000, 'second confirm');
			assert.equal(sink.of('reconnect')[0]!.delayMs, 100);
			assert.equal(sink.of('close')[0]!.final, false);
			assert.equal(sink.of('error').length, 0);
			assert.ok(server.attempts[1]!.at - server.attempts[0]!.at >= 95);
			assert.equal(server.peers[1]!.received.length, 1);
		});
	});

	test('pings that stop make the client stale after 2× the observed interval, then it reconnects', async () => {
		await withCable({pingEveryMs: 60}, {initialPingIntervalMs: 60, retryMs: 50}, async ({sink, server, cables}) => {
			await waitFor(() => sink.of('heartbeat').length >= 3, 3000, 'pings');
			const stoppedAt = performance.now();
			cables[0]!.stopPinging();
			await waitFor(() => sink.of('error').length === 1, 3000, 'stale');
			const silence = performance.now() - stoppedAt;
			const [error] = sink.of('error');
			assert.equal(error!.error, 'stale');
			assert.match(error!.message, /no ActionCable ping for \d+ms/);
			assert.ok(silence >= 100 && silence < 1000, `stale after ${Math.round(silence)}ms of silence, pings were 60ms apart`);
			await waitFor(() => server.attempts.length === 2 && sink.of('welcome').length === 2, 3000, 'reconnect');
			assert.equal(sink.of('reconnect')[0]!.delayMs, 50);
		});
	});

	test('pings in close pairs (two server beat timers) are not mistaken for a fast beat that stopped', async () => {
		await withCable({pingEveryMs: 300, secondPingAfterMs: 15}, {initialPingIntervalMs: 300}, async ({sink}) => {
			await new Promise(resolve => setTimeout(resolve, 2500));
			assert.ok(sink.of('heartbeat').length >= 12, `heartbeats ${sink.of('heartbeat').length}`);
			assert.deepEqual(sink.of('error'), []);
		});
	});

	test('no ping at all counts as stale after 2× the assumed interval', async () => {
		await withCable({}, {initialPingIntervalMs: 50, retryMs: 5000}, async ({sink}) => {
			await waitFor(() => sink.of('error').length === 1, 3000, 'stale');
			assert.equal(sink.of('error')[0]!.error, 'stale');
		});
	});

	test('refused connections back off exponentially with equal jitter', async () => {
		const probe = createServer();
		await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
		const {port} = probe.address() as AddressInfo;
		await new Promise<void>(resolve => probe.close(() => resolve()));
		const sink = createRecordingSink();
		const base = 20;
		const client = createCableClient(cableOptions(`ws://127.0.0.1:${port}/cable`, sink, {retryMs: base}));
		void client.start();
		try {
			await waitFor(() => sink.of('reconnect').length >= 5, 5000, 'five retries');
		} finally {
			await client.stop();
		}

		assert.ok(sink.of('error').every(error => error.error === 'connect' && /ECONNREFUSED/.test(error.message)));
		const delays = sink.of('reconnect').map(reconnect => reconnect.delayMs);
		for (const [index, delay] of delays.slice(0, 5).entries()) {
			const ceiling = base * (2 ** index);
			assert.ok(delay >= ceiling / 2 && delay <= ceiling, `delay ${index + 1} was ${delay}ms, expected ${ceiling / 2}-${ceiling}ms`);
		}

		const connecting = sink.events.flatMap((event, index) => event.kind === 'connecting' ? [index] : []);
		assert.ok(connecting.length >= 5);
		assert.deepEqual(sink.events.at(-1), {kind: 'close', client: 1, reason: 'stopped', final: true} satisfies ClientEvent);
	});

	test('an upgrade refused with 403 (Origin not allowed) reads clearly, with the status', async () => {
		await withCable({}, {origin: 'http://evil.example'}, async ({sink}) => {
			await waitFor(() => sink.of('error').length >= 1, 3000, 'error');
			const [error] = sink.of('error');
			assert.equal(error!.error, 'status');
			assert.equal(error!.status, 403);
			assert.match(error!.message, /upgrade refused: HTTP 403/);
			assert.match(error!.message, /origin not allowed/);
			assert.match(error!.message, /the Origin sent was http:\/\/evil\.example/);
			assert.equal(sink.of('open').length, 0);
		}, {refuse: request => request.headers.origin === 'http://evil.example' ? {status: 403, body: 'origin not allowed'} : undefined});
	});

	test('an unparseable frame is a protocol error and the connection stays open', async () => {
		await withCable({}, {}, async ({sink, server, cables}) => {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			server.peers[0]!.socket.send('not json');
			cables[0]!.broadcast({after: true});
			await waitFor(() => sink.of('event').length === 1, 3000, 'broadcast after the bad frame');
			assert.equal(sink.of('error')[0]!.error, 'protocol');
			assert.match(sink.of('error')[0]!.message, /not JSON: not json/);
			assert.equal(server.attempts.length, 1);
		});
	});

	test('performs the channel action on an interval once subscribed', async () => {
		await withCable({}, {perform: {action: 'speak', data: {text: 'hi'}, everyMs: 30}}, async ({server}) => {
			await waitFor(() => (server.peers[0]?.received.length ?? 0) >= 3, 3000, 'two performs');
			const message = JSON.parse(server.peers[0]!.received[1]!) as {command: string; identifier: string; data: string};
			assert.equal(message.command, 'message');
			assert.equal(message.identifier, '{"channel":"DashboardUpdatesChannel"}');
			assert.deepEqual(JSON.parse(message.data), {text: 'hi', action: 'speak'});
		});
	});

	test('stop() closes with 1000 and resolves once the socket is gone', async () => {
		const server = await startWsTestServer({onConnection: peer => speakCable(peer)});
		const sink = createRecordingSink();
		const client = createCableClient(cableOptions(server.url(), sink));
		void client.start();
		try {
			await waitFor(() => sink.of('confirm').length === 1, 3000, 'confirm');
			await client.stop();
			await server.peers[0]!.closed;
			assert.equal(server.peers[0]!.closeCode, 1000);
			const close = sink.events.at(-1);
			assert.deepEqual(close, {kind: 'close', client: 1, reason: 'stopped (close 1000 normal closure: client stopped)', final: true});
		} finally {
			await server.close();
		}
	});
});
