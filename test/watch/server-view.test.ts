import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {runCli, startCommand, cliPath} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {openRawSse, startTestServer, waitFor, type RawSse, type TestServer} from '../helpers/server-start.js';

type Summary = {
	clients: {connected: number};
	server: {
		redis: {url: string; channels: string[]; last: {reachable: boolean; subscribers: Record<string, number>; serveConnections: number} | null; samples: Array<{reachable: boolean}>} | null;
		stats: {url: string; fields: string[]; last: {reachable: boolean; values: Record<string, number | null>} | null} | null;
		disagreements: Array<{what: string; server: number; clients: number; worst: number}>;
	} | null;
};

describe('the server\'s side beside the clients\'', () => {
	let redis: TestRedis;
	let server: TestServer;
	before(async () => {
		redis = await startTestRedis();
		server = await startTestServer({redisUrl: redis.url, intervalMs: 200, redisMaxBackoffMs: 200});
		await waitFor(() => server.stats().redis?.state === 'connected', 'the server on Redis');
	});
	after(async () => {
		await server.close();
		await redis.stop();
	});

	test('--watch-redis shows what PUBSUB NUMSUB gives, and sse-tui serve\'s own connections', async () => {
		const [, expected] = await redis.client().call('PUBSUB', 'NUMSUB', 'dashboard_updates') as [string, number];
		const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '50', '--ramp', '0', '--duration', '3s', '--json', '--watch-redis', redis.url], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.clients.connected, 50);
		const watched = summary.server!.redis!;
		assert.deepEqual(watched.channels, ['dashboard_updates']);
		assert.ok(watched.samples.length >= 2, `samples ${watched.samples.length}`);
		assert.equal(watched.last!.subscribers['dashboard_updates'], Number(expected));
		assert.ok(watched.last!.serveConnections >= 2, 'the serve instance\'s sub and pub connections');
		assert.deepEqual(summary.server!.disagreements, [], 'one subscriber per process is what serve does');
	});

	test('with --redis-per-stream the count must match the clients: serve\'s one subscriber is marked', async () => {
		const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '5', '--ramp', '0', '--duration', '3500ms', '--json', '--watch-redis', redis.url, '--redis-per-stream'], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		const [disagreement] = JSON.parse(result.stdout).server.disagreements as Summary['server'] & Array<{what: string; server: number; clients: number}>;
		assert.match(disagreement!.what, /Redis subscribers of dashboard_updates vs clients open/);
		assert.deepEqual({server: disagreement!.server, clients: disagreement!.clients}, {server: 1, clients: 5});
	});

	test('a Redis that dies mid-run shows as unreachable and the run goes on', async () => {
		const other = await startTestRedis();
		const running = startCommand(cliPath, ['--url', `${server.url}/dashboard/stream`, '--clients', '3', '--ramp', '0', '--duration', '6s', '--json', '--watch-redis', other.url], {env: {NO_COLOR: '1'}, timeoutMs: 30_000});
		try {
			// Killed once the watcher has sampled it twice (PUBSUB NUMSUB is its first command each
			// second), not after a fixed time: a loaded box may start the run late.
			const numsubCalls = async (): Promise<number> => {
				const stats = await other.client().info('commandstats');
				return Number(/cmdstat_pubsub\|numsub:calls=(\d+)/.exec(stats)?.[1] ?? 0);
			};

			const deadline = Date.now() + 20_000;
			while (await numsubCalls() < 2) {
				assert.ok(Date.now() < deadline, 'the watcher never sampled the Redis');
				await new Promise(resolve => setTimeout(resolve, 50));
			}

			await other.kill();
			assert.equal(await running.code, 0, running.stderr());
			const summary = JSON.parse(running.stdout()) as Summary;
			const samples = summary.server!.redis!.samples;
			assert.ok(samples.some(sample => sample.reachable), 'reachable before');
			assert.equal(summary.server!.redis!.last!.reachable, false);
			assert.equal(summary.clients.connected, 3);
		} finally {
			await other.stop();
		}
	});

	test('--watch-stats agrees with the clients when healthy, and marks connections no client holds', async () => {
		const statsUrl = `${server.url}/dashboard/stats`;
		const healthy = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '10', '--ramp', '0', '--duration', '3s', '--json', '--watch-stats', statsUrl], {timeoutMs: 30_000});
		assert.equal(healthy.code, 0, healthy.stderr);
		const summary = JSON.parse(healthy.stdout) as Summary;
		assert.deepEqual(summary.server!.stats!.fields, ['connections', 'messages', 'drops']);
		assert.equal(summary.server!.stats!.last!.values['connections'], 10);
		assert.deepEqual(summary.server!.disagreements, []);

		const held: RawSse[] = [];
		try {
			for (let index = 0; index < 20; index++) {
				held.push(await openRawSse(server.url));
			}

			const leaky = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '10', '--ramp', '0', '--duration', '3500ms', '--no-tui', '--watch-stats', statsUrl], {timeoutMs: 30_000});
			assert.equal(leaky.code, 0, leaky.stderr);
			assert.match(leaky.stdout, /DISAGREE: +connections the server counts that no client holds \(half-open\?\): server 30, clients 10/);
		} finally {
			for (const socket of held) {
				socket.close();
			}
		}
	});
});
