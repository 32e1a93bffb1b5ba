import assert from 'node:assert/strict';
import {readFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';

type Summary = {
	target: {url: string; protocol: string; mode: string | null};
	clients: {connected: number};
	messages: {total: number};
	heartbeats: {total: number};
	errors: {total: number};
	latencyMs: {p50: number} | null;
};

let server: TestServer;
let dir: string;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-ref-'));
	server = await startTestServer({intervalMs: 100, heartbeatMs: 300, cablePingMs: 300});
});

after(async () => {
	await server.close();
	await rm(dir, {recursive: true, force: true});
});

/** The load client against the bundled reference server, over each protocol, as a user runs it. */
describe('sse-tui against sse-tui serve', () => {
	test('SSE: every client gets updates, heartbeats and latency', async () => {
		const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '5', '--ramp', '0', '--duration', '1500ms', '--json']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.clients.connected, 5);
		assert.ok(summary.messages.total >= 5 * 8, `messages ${summary.messages.total}`);
		assert.ok(summary.heartbeats.total >= 5 * 3, `heartbeats ${summary.heartbeats.total}`);
		assert.equal(summary.errors.total, 0);
		assert.ok(summary.latencyMs && summary.latencyMs.p50 < 1000);
	});

	test('ActionCable: welcome, confirmation, pings as heartbeats, broadcasts as messages', async () => {
		const events = join(dir, 'cable.ndjson');
		const result = await runCli(['--protocol', 'websocket', '--url', `${server.url.replace('http', 'ws')}/cable`, '--clients', '3', '--ramp', '0', '--duration', '1500ms', '--json', '--events', events]);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.target.mode, 'cable');
		assert.equal(summary.clients.connected, 3);
		assert.ok(summary.messages.total >= 3 * 8, `messages ${summary.messages.total}`);
		assert.ok(summary.heartbeats.total >= 3 * 3, `heartbeats ${summary.heartbeats.total}`);
		assert.equal(summary.errors.total, 0);
		const lines = (await readFile(events, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {kind: string; client: number; identifier?: string; source?: string; data?: string});
		for (const client of [1, 2, 3]) {
			const kinds = lines.filter(line => line.client === client).map(line => line.kind);
			for (const kind of ['open', 'welcome', 'confirm', 'heartbeat', 'event', 'close']) {
				assert.ok(kinds.includes(kind), `client ${client} logged ${kind}`);
			}
		}

		assert.equal(lines.find(line => line.kind === 'confirm')!.identifier, '{"channel":"DashboardUpdatesChannel"}');
		assert.equal(lines.find(line => line.kind === 'heartbeat')!.source, 'cable-ping');
		assert.match(lines.find(line => line.kind === 'event')!.data!, /"sent_at":\d+/);
	});

	test('raw WebSocket: frames are messages', async () => {
		const result = await runCli(['--protocol', 'ws', '--ws-mode', 'raw', '--url', `${server.url.replace('http', 'ws')}/ws`, '--clients', '2', '--ramp', '0', '--duration', '1200ms', '--json']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.target.mode, 'raw');
		assert.ok(summary.messages.total >= 2 * 6, `messages ${summary.messages.total}`);
		assert.equal(summary.errors.total, 0);
	});

	test('an Origin the server does not allow fails with a readable error per client (exit 1: none opened)', async () => {
		const result = await runCli(['--protocol', 'websocket', '--url', `${server.url.replace('http', 'ws')}/cable`, '--origin', 'http://evil.example', '--duration', '800ms', '--log-level', 'warn', '--retry', '200ms']);
		assert.equal(result.code, 1, result.stderr);
		assert.match(result.stderr, /^sse-tui: no client ever connected to .* \(errors: status \d+\); exit 1$/m);
		assert.match(result.stdout, /WARN +client 1 error \(status\): .*403/);
		assert.match(result.stdout, /Errors: +\d+ \(status \d+\)/);
	});
});
