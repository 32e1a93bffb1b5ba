import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {missingRails, startPuma, stopProcess, type Puma} from '../helpers/rails.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';
import {startTcpProxy} from '../helpers/tcp-proxy.js';

type Broadcast = {
	runId: string; via: string; requested: number; published: number; openAtStart: number;
	expected: number; received: number; ratio: number | null; clientsComplete: number; clientsIncomplete: number;
	missing: {total: number; seqs: Array<{seq: number; clients: number}>}; duplicates: {total: number};
	latencyMs: {count: number; p50: number} | null; fanoutMs: {count: number; max: number} | null;
	broadcasts: Array<{seq: number; expected: number; received: number; fanoutMs: number | null}>;
};
type Summary = {stoppedBy: string; clients: {connected: number}; delivery: {foreign: number; gaps: number; reconnects: {resumed: number; notResumed: number}}; broadcast: Broadcast | null};

const parse = (stdout: string) => JSON.parse(stdout) as Summary;

/** Every one of `clients` clients got each of `count` broadcasts exactly once. */
function assertComplete(summary: Summary, clients: number, count: number): Broadcast {
	const b = summary.broadcast!;
	assert.equal(summary.stoppedBy, 'finished');
	assert.equal(b.published, count);
	assert.equal(b.openAtStart, clients);
	assert.equal(b.expected, clients * count);
	assert.equal(b.received, clients * count);
	assert.equal(b.ratio, 1);
	assert.equal(b.missing.total, 0);
	assert.equal(b.duplicates.total, 0);
	assert.equal(b.clientsComplete, clients);
	assert.equal(b.latencyMs?.count, clients * count);
	assert.equal(b.fanoutMs?.count, count);
	assert.equal(b.broadcasts.length, count);
	assert.ok(b.broadcasts.every(item => item.received === clients && item.fanoutMs !== null));
	return b;
}

describe('--scenario broadcast against sse-tui serve', () => {
	test('SSE through the trigger: every client gets every broadcast once; the server\'s own updates are foreign', async () => {
		const server = await startTestServer({intervalMs: 50});
		try {
			const result = await runCli(['--scenario', 'broadcast', '--url', `${server.url}/dashboard/stream`, '--clients', '5', '--count', '40', '--rate', '100', '--trigger', server.url, '--drain', '2s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			const b = assertComplete(summary, 5, 40);
			assert.equal(b.via, 'http');
			assert.ok(summary.delivery.foreign > 0, 'the 50 ms ticker\'s updates are not the run\'s');
			assert.match(result.stderr, /all 5 clients subscribed after .*publishing 40 messages at 100\/s/);
		} finally {
			await server.close();
		}
	});

	test('a cut mid-publish: without replay the reconnects lose messages (gaps, not resumed); with the replay buffer every one resumes and nothing is lost', async () => {
		for (const replay of [0, 1000]) {
			const server = await startTestServer({retryMs: 200, replay});
			const proxy = await startTcpProxy(Number(new URL(server.url).port));
			try {
				const cutter = (async () => {
					// Mid-publish by count, not by time (60 at 40/s, 1.5 s): each client is away ~200 ms
					// while ~8 go out. A cut before a client has had any event leaves it no Last-Event-ID
					// to resume from, and on a loaded box publishing can start late.
					await waitFor(() => server.stats().broadcasts >= 10, 'ten broadcasts out', 20_000);
					proxy.cut();
				})();
				const result = await runCli(['--scenario', 'broadcast', '--url', `http://127.0.0.1:${proxy.port}/dashboard/stream`, '--clients', '3', '--count', '60', '--rate', '40', '--trigger', server.url, '--drain', '4s', '--json'], {timeoutMs: 30_000});
				await cutter;
				assert.equal(result.code, 0, result.stderr);
				const summary = parse(result.stdout);
				const b = summary.broadcast!;
				assert.equal(b.published, 60);
				assert.equal(b.received + b.missing.total, b.expected, 'missing = expected - received');
				if (replay === 0) {
					// Not subscribed while away, so not expected then (the issue's rule); the clients'
					// own sequences show the loss, and no reconnect resumed.
					assert.ok(summary.delivery.gaps > 0, `gaps ${summary.delivery.gaps}`);
					assert.ok(b.received < 180, `received ${b.received}`);
					assert.deepEqual(summary.delivery.reconnects, {resumed: 0, notResumed: 3});
				} else {
					assert.equal(b.missing.total, 0);
					assert.equal(b.received, 180);
					assert.equal(summary.delivery.gaps, 0);
					assert.deepEqual(summary.delivery.reconnects, {resumed: 3, notResumed: 0});
				}
			} finally {
				await proxy.close();
				await server.close();
			}
		}
	});

	test('usage: where to publish is required; broadcast flags need the scenario', async () => {
		const missing = await runCli(['--scenario', 'broadcast', '--port', '1']);
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /--scenario broadcast needs where to publish: --publish redis:\/\/127\.0\.0\.1:6379 .* or --trigger/);
		const stray = await runCli(['--count', '5', '--port', '1']);
		assert.equal(stray.code, 2);
		assert.match(stray.stderr, /--count belongs to the broadcast scenario: add --scenario broadcast/);
		const badRedis = await runCli(['--scenario', 'broadcast', '--port', '1', '--publish', 'http://x']);
		assert.equal(badRedis.code, 2);
		assert.doesNotMatch(badRedis.stderr, /\n.*\n.*\n/, 'one line (and the --help hint)');
	});
});

describe('--scenario broadcast through Redis', () => {
	let redis: TestRedis;
	let servers: TestServer[] = [];
	before(async () => {
		redis = await startTestRedis();
		servers = [await startTestServer({redisUrl: redis.url, intervalMs: 0}), await startTestServer({redisUrl: redis.url, intervalMs: 0})];
		await waitFor(() => servers.every(server => server.stats().redis?.state === 'connected'), 'both instances on Redis');
	});
	after(async () => {
		await Promise.all(servers.map(async server => server.close()));
		await redis.stop();
	});

	test('two serve --redis instances: raw WebSocket clients on one, published on Redis, all delivered', async () => {
		const result = await runCli(['--scenario', 'broadcast', '--protocol', 'websocket', '--ws-mode', 'raw', '--url', `${servers[1]!.url.replace('http', 'ws')}/ws`, '--clients', '4', '--count', '50', '--rate', '0', '--publish', redis.url, '--json'], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(assertComplete(parse(result.stdout), 4, 50).via, 'redis');
	});

	test('ActionCable clients on one instance, triggered on the other: all delivered', async () => {
		const result = await runCli(['--scenario', 'broadcast', '--protocol', 'websocket', '--url', `${servers[0]!.url.replace('http', 'ws')}/cable`, '--clients', '4', '--count', '30', '--rate', '200', '--trigger', servers[1]!.url, '--json'], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		assertComplete(parse(result.stdout), 4, 30);
	});
});

const railsSkip = missingRails({redis: true});

describe('--scenario broadcast against a real Rails ActionCable (Redis adapter, channel prefix)', {skip: railsSkip}, () => {
	let redis: TestRedis;
	let puma: Puma | undefined;
	before(async () => {
		redis = await startTestRedis();
		puma = await startPuma({redis: redis.url, channelPrefix: 'dashboard_test'});
	});
	after(async () => {
		if (puma) {
			await stopProcess(puma.process);
		}

		await redis.stop();
	});

	test('published on PREFIX:dashboard_updates, every /cable subscriber gets every message once', async () => {
		const url = `ws://127.0.0.1:${puma!.port}/cable`;
		const result = await runCli(['--scenario', 'broadcast', '--protocol', 'websocket', '--url', url, '--clients', '5', '--count', '30', '--rate', '100', '--publish', redis.url, '--redis-channel', 'dashboard_test:dashboard_updates', '--json'], {timeoutMs: 40_000});
		assert.equal(result.code, 0, result.stderr);
		assertComplete(parse(result.stdout), 5, 30);
	});
});
