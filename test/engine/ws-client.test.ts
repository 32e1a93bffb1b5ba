import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createServer as createHttpsServer} from 'node:https';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {WebSocketServer} from 'ws';
import {createWsClient, type WsClientOptions} from '../../source/engine/ws-client.js';
import {waitFor} from '../helpers/http-server.js';
import {createRecordingSink} from '../helpers/recording-sink.js';
import {startWsTestServer, type WsTestServer, type WsTestServerOptions} from '../helpers/ws-test-server.js';

type Sink = ReturnType<typeof createRecordingSink>;

async function withRaw(serverOptions: WsTestServerOptions, options: Partial<WsClientOptions>, body: (context: {sink: Sink; server: WsTestServer}) => Promise<void>) {
	const server = await startWsTestServer(serverOptions);
	const sink = createRecordingSink();
	const client = createWsClient({
		id: 1, url: server.url('/ws'), headers: {'x-test': 'yes'}, origin: undefined, subprotocols: [], sink,
		timeoutMs: 2000, retryMs: 50, maxBackoffMs: 10_000, maxPayload: 1 << 20, compression: false, insecure: false,
		pingIntervalMs: 0, pongTimeoutMs: 1000,
		...options,
	});
	void client.start();
	try {
		await body({sink, server});
	} finally {
		await client.stop();
		await server.close();
	}
}

describe('raw WebSocket client', () => {
	test('every text or binary frame is a message; pings from the server are heartbeats', async () => {
		await withRaw({
			onConnection(peer) {
				peer.socket.send(`{"n":1,"sent_at":${Date.now() - 20}}`);
				peer.socket.send(Buffer.from([1, 2, 3]));
				peer.socket.ping();
			},
		}, {}, async ({sink, server}) => {
			await waitFor(() => sink.of('event').length === 2 && sink.of('heartbeat').length === 1, 3000, 'two messages and a ping');
			const [text, binary] = sink.of('event');
			assert.equal(text!.type, 'message');
			assert.match(text!.data, /^\{"n":1,"sent_at":\d+\}$/);
			assert.ok(text!.latencyMs! >= 19);
			assert.deepEqual({data: binary!.data, bytes: binary!.bytes, type: binary!.type}, {data: '', bytes: 3, type: 'message'});
			assert.equal(sink.of('heartbeat')[0]!.source, 'ping');
			assert.equal(server.attempts[0]!.headers['x-test'], 'yes');
			assert.equal(server.attempts[0]!.headers.origin, undefined);
			assert.equal(sink.of('open')[0]!.url, server.url('/ws'));
		});
	});

	test('our pings are answered by pongs, each counted once as a heartbeat', async () => {
		await withRaw({}, {pingIntervalMs: 30, pongTimeoutMs: 500}, async ({sink}) => {
			await waitFor(() => sink.of('heartbeat').length >= 3, 3000, 'three pongs');
			assert.ok(sink.of('heartbeat').every(heartbeat => heartbeat.source === 'pong'));
			assert.equal(sink.of('error').length, 0);
		});
	});

	test('a peer that never answers our ping is terminated as stale, then the client reconnects', async () => {
		await withRaw({autoPong: false}, {pingIntervalMs: 30, pongTimeoutMs: 80}, async ({sink, server}) => {
			await waitFor(() => server.attempts.length >= 2, 3000, 'reconnect');
			const [error] = sink.of('error');
			assert.equal(error!.error, 'stale');
			assert.match(error!.message, /no pong within 80ms/);
			// It opened but brought nothing before it broke: the first backoff step (equal jitter), not a plain retryMs.
			const delay = sink.of('reconnect')[0]!.delayMs;
			assert.ok(delay >= 25 && delay <= 50, `delay ${delay}`);
			await server.peers[0]!.closed;
			assert.equal(server.peers[0]!.closeCode, 1006, 'terminated, no closing handshake');
		});
	});

	test('an unexpected close code after open is a stream error naming the code', async () => {
		await withRaw({
			onConnection(peer, attempt) {
				if (attempt === 1) {
					peer.socket.close(1011, 'boom');
				}
			},
		}, {}, async ({sink}) => {
			await waitFor(() => sink.of('open').length === 2, 3000, 'reconnect');
			const [error] = sink.of('error');
			assert.equal(error!.error, 'stream');
			assert.equal(error!.message, 'closed by server (close 1011 internal error: boom)');
		});
	});

	test('a clean close by the server is not an error; the client reconnects after retryMs', async () => {
		await withRaw({
			onConnection(peer, attempt) {
				if (attempt === 1) {
					// It delivers first: one that closes before delivering anything backs off instead.
					peer.socket.send('hello');
					peer.socket.close(1001, 'bye');
				}
			},
		}, {retryMs: 80}, async ({sink, server}) => {
			await waitFor(() => sink.of('open').length === 2, 3000, 'reconnect');
			assert.equal(sink.of('error').length, 0);
			assert.deepEqual(sink.of('close')[0], {kind: 'close', client: 1, reason: 'closed by server (close 1001 going away: bye)', final: false});
			assert.ok(server.attempts[1]!.at - server.attempts[0]!.at >= 75);
		});
	});

	test('no upgrade within --timeout is a timeout error', async () => {
		await withRaw({refuse: () => 'hang'}, {timeoutMs: 150}, async ({sink}) => {
			await waitFor(() => sink.of('error').length >= 1, 3000, 'timeout');
			assert.equal(sink.of('error')[0]!.error, 'timeout');
		});
	});

	test('handshake timeouts hit only the attempts that hang, each after its own --timeout', async () => {
		// Attempts 1 and 3 hang; 2 and 4 are answered. Clients A and B share the timeout (and its timer).
		const server = await startWsTestServer({refuse: (_request, attempt) => attempt % 2 === 1 ? 'hang' : undefined});
		const sinks = [createRecordingSink(), createRecordingSink()];
		const clients = sinks.map((sink, index) => createWsClient({
			id: index + 1, url: server.url('/ws'), headers: {}, origin: undefined, subprotocols: [], sink,
			timeoutMs: 200, retryMs: 50, maxBackoffMs: 50, maxPayload: 1024, compression: false, insecure: false, pingIntervalMs: 0, pongTimeoutMs: 0,
		}));
		try {
			const startedAt = performance.now();
			void clients[0]!.start();
			await waitFor(() => server.attempts.length === 1, 3000, 'A connecting');
			void clients[1]!.start();
			await waitFor(() => sinks[1]!.of('open').length === 1, 3000, 'B open');
			await waitFor(() => sinks[0]!.of('error').length === 1, 3000, 'A timed out');
			const timedOutAfter = performance.now() - startedAt;
			assert.ok(timedOutAfter >= 195 && timedOutAfter < 1000, `A timed out after ${Math.round(timedOutAfter)}ms`);
			assert.equal(sinks[0]!.of('error')[0]!.error, 'timeout');
			assert.match(sinks[0]!.of('error')[0]!.message, /no WebSocket upgrade within 200ms/);
			// A's second attempt (the server's 3rd) hangs too, its third is answered.
			await waitFor(() => sinks[0]!.of('open').length === 1, 3000, 'A open at last');
			assert.equal(sinks[0]!.of('error').length, 2);
			// Open connections are never timed out afterwards.
			await new Promise(resolve => setTimeout(resolve, 450));
			assert.deepEqual(sinks.map(sink => sink.of('error').length), [2, 0]);
			assert.deepEqual(sinks.map(sink => sink.of('reconnect').length), [2, 0]);
		} finally {
			await Promise.all(clients.map(async client => client.stop()));
			await server.close();
		}
	});

	test('a message over maxPayload is too-large and closes with 1009', async () => {
		await withRaw({
			onConnection(peer, attempt) {
				if (attempt === 1) {
					peer.socket.send('x'.repeat(2000));
				}
			},
		}, {maxPayload: 1024}, async ({sink}) => {
			await waitFor(() => sink.of('error').length >= 1, 3000, 'error');
			assert.equal(sink.of('error')[0]!.error, 'too-large');
			assert.match(sink.of('error')[0]!.message, /^Max payload size exceeded/);
			assert.equal(sink.of('event').length, 0);
		});
	});

	test('a 404 on the upgrade reports the status and body', async () => {
		await withRaw({refuse: () => ({status: 404, body: 'Page not found'})}, {retryMs: 1000}, async ({sink}) => {
			await waitFor(() => sink.of('error').length >= 1, 3000, 'error');
			const [error] = sink.of('error');
			assert.equal(error!.status, 404);
			assert.equal(error!.message, 'upgrade refused: HTTP 404 Refused: "Page not found" (if the server checks Origin, no Origin header was sent)');
		});
	});

	test('stop() closes with 1000 while stop during backoff ends the sleep at once', async () => {
		const server = await startWsTestServer();
		const sink = createRecordingSink();
		const client = createWsClient({
			id: 2, url: server.url('/ws'), headers: {}, origin: undefined, subprotocols: ['chat'], sink,
			timeoutMs: 2000, retryMs: 60_000, maxBackoffMs: 60_000, maxPayload: 1024, compression: false, insecure: false, pingIntervalMs: 0, pongTimeoutMs: 0,
		});
		void client.start();
		try {
			await waitFor(() => sink.of('open').length === 1, 3000, 'open');
			assert.equal(server.peers[0]!.request.headers['sec-websocket-protocol'], 'chat');
			const started = performance.now();
			await client.stop();
			assert.ok(performance.now() - started < 900, 'no wait for the grace timer');
			await server.peers[0]!.closed;
			assert.equal(server.peers[0]!.closeCode, 1000);
			assert.equal(sink.events.at(-1)!.kind, 'close');
		} finally {
			await server.close();
		}
	});

	test('an invalid URL fails the client for good, reported when it connects', async () => {
		const sink = createRecordingSink();
		const client = createWsClient({
			id: 3, url: 'ws://exa mple.com:99999/', headers: {}, origin: undefined, subprotocols: [], sink,
			timeoutMs: 2000, retryMs: 50, maxBackoffMs: 50, maxPayload: 1024, compression: false, insecure: false, pingIntervalMs: 0, pongTimeoutMs: 0,
		});
		await client.start();
		assert.deepEqual(sink.events.map(event => event.kind), ['connecting', 'error', 'close']);
		assert.equal(sink.of('error')[0]!.error, 'connect');
		assert.match(sink.of('error')[0]!.message, /Invalid URL/);
		assert.equal(sink.of('close')[0]!.final, true);
	});

	const openssl = spawnSync('openssl', ['version'], {encoding: 'utf8'});
	test('wss:// checks the certificate unless insecure, with custom headers and origin sent', {skip: openssl.status === 0 ? false : 'openssl not installed'}, async () => {
		const directory = mkdtempSync(join(tmpdir(), 'sse-tui-wss-'));
		let server: ReturnType<typeof createHttpsServer> | undefined;
		try {
			const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
				'-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem')], {encoding: 'utf8'});
			assert.equal(made.status, 0, made.stderr);
			const https = createHttpsServer({key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem'))});
			server = https;
			const wss = new WebSocketServer({server: https, perMessageDeflate: false});
			const seen: Array<{origin: string | undefined; test: string | undefined}> = [];
			wss.on('connection', (socket, request) => {
				seen.push({origin: request.headers.origin, test: request.headers['x-test'] as string | undefined});
				socket.send('hello');
			});
			await new Promise<void>(resolve => https.listen(0, '127.0.0.1', resolve));
			const url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/ws`;
			for (const insecure of [false, true]) {
				const sink = createRecordingSink();
				const client = createWsClient({
					id: 4, url, headers: {'x-test': 'yes'}, origin: 'https://example.test', subprotocols: [], sink,
					timeoutMs: 2000, retryMs: 5000, maxBackoffMs: 5000, maxPayload: 1024, compression: false, insecure, pingIntervalMs: 0, pongTimeoutMs: 0,
				});
				void client.start();
				try {
					// eslint-disable-next-line no-await-in-loop
					await waitFor(() => sink.of('event').length > 0 || sink.of('error').length > 0, 3000, 'a message or an error');
				} finally {
					// eslint-disable-next-line no-await-in-loop
					await client.stop();
				}

				if (insecure) {
					assert.equal(sink.of('event')[0]!.data, 'hello');
					assert.deepEqual(seen, [{origin: 'https://example.test', test: 'yes'}]);
				} else {
					assert.equal(sink.of('error')[0]!.error, 'connect');
					assert.match(sink.of('error')[0]!.message, /self[- ]signed/i);
					assert.equal(seen.length, 0);
				}
			}
		} finally {
			server?.closeAllConnections();
			await new Promise(resolve => server ? server.close(resolve) : resolve(undefined));
			rmSync(directory, {recursive: true, force: true});
		}
	});
});
