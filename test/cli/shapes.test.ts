import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {once} from 'node:events';
import type {AddressInfo} from 'node:net';
import {WebSocketServer} from 'ws';
import {describe, test} from 'node:test';
import {cliPath, runCli, startCommand} from '../helpers/cli.js';
import {assertStormAtRecovered} from '../helpers/storm.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import type {Summary} from '../../source/reporters/summary.js';

const parse = (stdout: string) => JSON.parse(stdout) as Summary;

describe('load shapes against sse-tui serve', () => {
	test('--scenario hold: every client connected at the connect rate, held for --duration from then, heartbeats counted, memory per connection reported', async () => {
		const server = await startTestServer({heartbeatMs: 100});
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--scenario', 'hold', '--clients', '20', '--connect-rate', '100/s', '--duration', '1500ms', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			assert.equal(summary.stoppedBy, 'duration');
			const hold = summary.hold!;
			assert.ok(hold.connectAllMs !== null && hold.connectAllMs >= 150, `20 clients at 100/s take about 190 ms (got ${hold.connectAllMs})`);
			assert.ok(hold.heldMs >= 1400, `held for --duration after all were open (got ${hold.heldMs})`);
			assert.equal(hold.openAtEnd, 20);
			assert.ok(hold.heartbeats >= 20 * 5, `heartbeats every 100 ms while holding (got ${hold.heartbeats})`);
			assert.equal(hold.stale, 0);
			const memory = summary.memory!;
			assert.equal(memory.connections, 20);
			assert.ok(memory.rssBytes > memory.baselineBytes || memory.perConnectionBytes !== null);
			assert.equal(memory.perConnectionBytes, Math.round((memory.rssBytes - memory.baselineBytes) / 20));
			assert.equal(summary.churn, undefined);
			assert.equal(summary.storm, undefined);
		} finally {
			await server.close();
		}
	});

	test('--scenario churn: replacement connections at --churn-rate, counted, with their connect times', async () => {
		const server = await startTestServer();
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--scenario', 'churn', '--clients', '10', '--churn-rate', '20/s', '--duration', '2s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			const churn = summary.churn!;
			assert.equal(churn.rate, 20);
			assert.ok(churn.closed >= 5 && churn.closed <= 45, `about 20/s for under 2 s (got ${churn.closed})`);
			assert.ok(churn.reopened >= churn.closed - 5, `replacements opened (closed ${churn.closed}, reopened ${churn.reopened})`);
			assert.equal(churn.failed, 0);
			assert.equal(churn.connectMs?.count, churn.reopened);
			assert.ok(summary.clients.final.closed >= 10 + churn.closed - 5, 'the churned clients closed for good, the others at the end');
		} finally {
			await server.close();
		}
	});

	test('churn failures: replacements the server refuses are counted as failed, not reopened', async () => {
		// Serves the first 5 connections, then 503 to every later one (the replacements).
		let served = 0;
		const server = createServer((_request, response) => {
			if (++served > 5) {
				response.writeHead(503).end();
				return;
			}

			response.writeHead(200, {'content-type': 'text/event-stream'});
			response.write(': hi\n\n');
		});
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		try {
			const {port} = server.address() as AddressInfo;
			const result = await runCli(['--url', `http://127.0.0.1:${port}/`, '--scenario', 'churn', '--clients', '5', '--churn-rate', '10/s', '--duration', '1500ms', '--json'], {timeoutMs: 20_000});
			const summary = parse(result.stdout);
			const churn = summary.churn!;
			assert.ok(churn.closed >= 5, JSON.stringify(churn));
			assert.equal(churn.reopened, 0);
			// The last replacements may still be connecting when the run stops.
			assert.ok(churn.failed > 0 && churn.failed >= churn.closed - 3, `the replacements failed (${JSON.stringify(churn)})`);
			assert.equal(churn.connectMs, null);
			assert.ok((summary.errors.byKind.status ?? 0) >= churn.failed);
		} finally {
			server.closeAllConnections();
			server.close();
		}
	});

	test('--stages: clients follow the line up and down; the run ends after the last stage', async () => {
		const server = await startTestServer();
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--stages', '1s:20,1s:20,1s:0', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			assert.equal(summary.stoppedBy, 'duration');
			assert.ok(summary.durationMs >= 3000 && summary.durationMs < 4500, `three 1 s stages (got ${summary.durationMs})`);
			assert.equal(summary.clients.requested, 20);
			assert.equal(summary.stages?.peakOpen, 20);
			// The line is near 0 at the end: the last stage removed nearly every client before the run stopped.
			const closing = /stopping \(duration\): closing (\d+) clients/.exec(result.stderr);
			assert.ok(closing && Number(closing[1]) <= 5, `ramped down before the end (${closing?.[0]})`);
		} finally {
			await server.close();
		}
	});

	test('--stages with --scenario broadcast: publishing starts once the first stage\'s target is subscribed; clients that join later are owed only what came after', async () => {
		const server = await startTestServer();
		try {
			const result = await runCli(['--scenario', 'broadcast', '--url', `${server.url}/dashboard/stream`, '--stages', '300ms:4,5s:12', '--count', '20', '--rate', '20', '--trigger', server.url, '--drain', '3s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			const b = summary.broadcast!;
			assert.equal(summary.stoppedBy, 'finished', 'published and drained before the stages ended');
			assert.ok(b.openAtStart >= 4 && b.openAtStart < 12, `began with the first stage's 4 (got ${b.openAtStart})`);
			assert.ok(b.expected > 4 * 20, `clients added while publishing are owed messages too (expected ${b.expected})`);
			// A client that opens while a publish is in flight may be counted as owed it (seen: 1 of 95 on a loaded machine).
			assert.ok(b.received >= b.expected - 2, `received ${b.received} of ${b.expected}`);
			assert.match(result.stderr, /all 4 clients subscribed after/);
		} finally {
			await server.close();
		}
	});

	for (const protocol of ['sse', 'websocket'] as const) {
		test(`--scenario storm --storm-at (${protocol}): every client dropped at once and back, time to 50/99/100 %`, async () => {
			const server = await startTestServer({retryMs: 200});
			try {
				const target = protocol === 'sse' ? ['--url', `${server.url}/dashboard/stream`] : ['--protocol', 'websocket', '--ws-mode', 'raw', '--url', `${server.url.replace('http', 'ws')}/ws`, '--retry', '200ms'];
				const result = await runCli([...target, '--scenario', 'storm', '--clients', '30', '--storm-at', '700ms', '--json'], {timeoutMs: 30_000});
				assert.equal(result.code, 0, result.stderr);
				const summary = parse(result.stdout);
				assertStormAtRecovered(summary, 30);
				const {atMs} = summary.storm!;
				assert.ok(atMs !== null && atMs >= 650, `at --storm-at (got ${atMs})`);
				assert.match(result.stderr, /storm: dropping all 30 open connections/);
			} finally {
				await server.close();
			}
		});
	}

	test('--scenario storm without --storm-at: a server restart is seen, with failed attempts while it is down and the messages lost', async () => {
		let server = await startTestServer({retryMs: 100, intervalMs: 50, replay: 0});
		const {port} = new URL(server.url);
		const running = startCommand(cliPath, ['--url', `${server.url}/dashboard/stream`, '--scenario', 'storm', '--clients', '20', '--max-backoff', '200ms', '--min-retry', '0', '--json'], {env: {NO_COLOR: '1'}, timeoutMs: 30_000});
		try {
			await waitFor(() => running.stderr().includes('client 20 open'), 'all 20 open', 10_000);
			await new Promise(resolve => {
				setTimeout(resolve, 300);
			});
			await server.close();
			await new Promise(resolve => {
				setTimeout(resolve, 600);
			});
			server = await startTestServer({retryMs: 100, intervalMs: 50, replay: 0, port: Number(port)});
			const code = await running.code;
			assert.equal(code, 0, running.stderr());
			const summary = parse(running.stdout());
			const storm = summary.storm!;
			assert.equal(summary.stoppedBy, 'finished', `ends once every dropped client is back: ${JSON.stringify(storm)}`);
			assert.equal(storm.trigger, 'server-restart');
			assert.equal(storm.dropped, 20);
			assert.equal(storm.back, 20);
			assert.ok(storm.backMs.p100 !== null && storm.backMs.p100 >= 400, `down for 600 ms (got ${storm.backMs.p100})`);
			assert.ok(storm.failedAttempts.total > 0 && (storm.failedAttempts.byKind.connect ?? 0) > 0, JSON.stringify(storm.failedAttempts));
			assert.ok(storm.lost.notResumed >= 20, `no replay: none resumed (${storm.lost.notResumed})`);
			assert.match(running.stderr(), /storm: \d+ clients dropped within 2s \(a server restart\?\)/);
		} finally {
			running.kill('SIGKILL');
			await server.close();
		}
	});
});

describe('--local-address', () => {
	test('client sockets are bound to the addresses in turn (SSE and WebSocket)', async () => {
		const seen: string[] = [];
		const server = createServer((request, response) => {
			seen.push(request.socket.remoteAddress ?? '');
			response.writeHead(200, {'content-type': 'text/event-stream'});
			response.write(': hi\n\n');
		});
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		const {port} = server.address() as AddressInfo;
		try {
			const result = await runCli(['--url', `http://127.0.0.1:${port}/`, '--clients', '4', '--local-address', '127.0.0.2,127.0.0.3', '--duration', '700ms', '--json'], {timeoutMs: 20_000});
			assert.equal(result.code, 0, result.stderr);
			assert.deepEqual(seen, ['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3']);
		} finally {
			server.closeAllConnections();
			server.close();
		}

		const wsSeen: string[] = [];
		const ws = new WebSocketServer({host: '127.0.0.1', port: 0});
		ws.on('connection', (_socket, request) => {
			wsSeen.push(request.socket.remoteAddress ?? '');
		});
		await once(ws, 'listening');
		try {
			const wsPort = (ws.address() as AddressInfo).port;
			const result = await runCli(['--protocol', 'websocket', '--ws-mode', 'raw', '--url', `ws://127.0.0.1:${wsPort}/`, '--clients', '4', '--local-address', '127.0.0.3,127.0.0.2', '--duration', '700ms', '--json'], {timeoutMs: 20_000});
			assert.equal(result.code, 0, result.stderr);
			assert.equal(parse(result.stdout).connections.successful, 4);
			assert.deepEqual(wsSeen, ['127.0.0.3', '127.0.0.2', '127.0.0.3', '127.0.0.2']);
		} finally {
			for (const client of ws.clients) {
				client.terminate();
			}

			ws.close();
		}
	});

	test('an address that is not an IP is a usage error naming the fix', async () => {
		const result = await runCli(['--port', '1', '--local-address', 'localhost']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /--local-address takes IP addresses like 127.0.0.2/);
	});
});
