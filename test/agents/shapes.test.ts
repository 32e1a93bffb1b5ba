import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {runCli} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {startTestServer} from '../helpers/server-start.js';
import {assertStormAtRecovered} from '../helpers/storm.js';
import {agentReport, assertSumsMatch, controllerSummary, env, exited, startAgents, startController} from './helpers.js';

/** the keys of a JSON block, nested, sorted: what "the same shape" of two summaries means */
function keysOf(value: unknown, path = ''): string[] {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return [path];
	}

	return Object.entries(value).flatMap(([key, inner]) => keysOf(inner, `${path}.${key}`)).sort();
}

/**
 * The load shapes over 3 agents: the driver runs on the controller, fed each agent's client
 * lives through its messages, and steers the agents through the command stream (add, remove,
 * remove-oldest, drop). The blocks are those of a local run.
 */
describe('load shapes across agents', () => {
	let redis: TestRedis;
	before(async () => {
		redis = await startTestRedis();
	});
	after(async () => {
		await redis.stop();
	});

	/** 3 agents and the controller; resolves with the merged summary and the agents' own, once all exited 0 */
	async function runOverAgents(run: string, args: string[]): Promise<{merged: Summary; parts: Summary[]; stderr: string}> {
		const agents = startAgents(redis.url, 3, run);
		const controller = startController(redis.url, run, args);
		assert.equal(await exited(controller, 'the controller', 50_000), 0, controller.stderr());
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000))), [0, 0, 0], agents.map(agent => agent.stderr()).join('\n'));
		const merged = controllerSummary(controller);
		const parts = agents.map(agent => agentReport(agent).summary);
		assertSumsMatch(merged, parts);
		return {merged, parts, stderr: controller.stderr()};
	}

	test('--scenario storm --storm-at: every agent drops every client at once, the 50/99/100 % marks come from their opens', async t => {
		const server = await startTestServer({retryMs: 200});
		t.after(async () => server.close());
		const args = ['--url', `${server.url}/dashboard/stream`, '--scenario', 'storm', '--clients', '30', '--storm-at', '3s'];
		const {merged, parts} = await runOverAgents('storm', args);
		assertStormAtRecovered(merged, 30);
		assert.deepEqual(parts.map(part => part.reconnects), [10, 10, 10], 'every agent dropped its clients');
		assert.equal(server.stats().sse.total, 60, 'each client connected twice');
		const local = await runCli([...args, '--no-tui', '--json'], {env, timeoutMs: 30_000});
		assert.equal(local.code, 0, local.stderr);
		assert.deepEqual(keysOf(merged.storm), keysOf((JSON.parse(local.stdout) as Summary).storm), 'the storm block of a local run');
	});

	test('--stages: the stage line split over the agents by capacity, up and down', async t => {
		const server = await startTestServer();
		t.after(async () => server.close());
		const {merged, parts, stderr} = await runOverAgents('stages', ['--url', `${server.url}/dashboard/stream`, '--stages', '3s:30,1s:30,1s:6']);
		assert.equal(merged.stoppedBy, 'duration');
		assert.equal(merged.stages?.peakOpen, 30);
		assert.deepEqual(merged.stages?.stages, [{durationMs: 3000, target: 30}, {durationMs: 1000, target: 30}, {durationMs: 1000, target: 6}]);
		// Equal capacities (one machine): the line's clients in thirds, ids handed out as it rose.
		assert.deepEqual(parts.map(part => part.connections.successful), [10, 10, 10]);
		const closing = /stopping \(duration\): closing (\d+) clients/.exec(stderr);
		assert.ok(closing && Number(closing[1]) <= 12, `ramped down before the end (${closing?.[0]})`);
	});

	test('--scenario churn with --connect-rate: the oldest clients of every agent replaced, reopened ones counted once', async t => {
		const server = await startTestServer();
		t.after(async () => server.close());
		const {merged, parts} = await runOverAgents('churn', ['--url', `${server.url}/dashboard/stream`, '--scenario', 'churn', '--clients', '15', '--connect-rate', '50/s', '--churn-rate', '15/s', '--duration', '6s']);
		const churn = merged.churn!;
		assert.ok(churn.closed >= 15, `about 15/s (got ${churn.closed})`);
		assert.ok(churn.reopened >= churn.closed - 8, `replacements opened (closed ${churn.closed}, reopened ${churn.reopened})`);
		assert.equal(churn.failed, 0);
		assert.equal(churn.connectMs?.count, churn.reopened);
		assert.ok(parts.every(part => part.connections.successful > 5), `every agent got replacements (${parts.map(part => part.connections.successful).join(', ')})`);
		assert.equal(merged.connections.successful, 15 + churn.reopened);
	});

	test('--scenario hold: heartbeats heard on every agent, memory of the agents per connection', async t => {
		const server = await startTestServer({heartbeatMs: 100});
		t.after(async () => server.close());
		const {merged} = await runOverAgents('hold', ['--url', `${server.url}/dashboard/stream`, '--scenario', 'hold', '--clients', '30', '--duration', '2s']);
		const hold = merged.hold!;
		assert.ok(hold.connectAllMs !== null);
		assert.equal(hold.openAtEnd, 30);
		assert.ok(hold.heartbeats >= 30 * 5, `heartbeats every 100 ms while holding (got ${hold.heartbeats})`);
		assert.equal(hold.stale, 0);
		const memory = merged.memory!;
		assert.equal(memory.connections, 30);
		// Three agent processes before any client: well over one's ~40 MB.
		assert.ok(memory.baselineBytes > 100e6, `the baseline is the agents' (got ${memory.baselineBytes})`);
		assert.equal(memory.perConnectionBytes, Math.round((memory.rssBytes - memory.baselineBytes) / 30));
	});
});
