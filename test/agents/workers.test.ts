import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {describe, test, type TestContext} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import {packageInfo} from '../../source/package-info.js';
import {run} from '../../source/run.js';
import type {Summary} from '../../source/reporters/summary.js';
import {assertEveryBroadcastArrived} from '../helpers/broadcast-checks.js';
import {runCli} from '../helpers/cli.js';
import {startConnectProxy} from '../helpers/connect-proxy.js';
import {startH2SseServer} from '../helpers/h2-sse-server.js';
import {shapeOf} from '../helpers/json-shape.js';
import {startTestRedis} from '../helpers/redis-server.js';
import {createProbe} from '../helpers/run-probe.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {agentReport, assertSumsMatch, controllerSummary, env, exited, startAgents, startController} from './helpers.js';

/**
 * Agents whose share runs in their own worker processes (`sse-tui agent --workers N`), forced by
 * the flag rather than by size: what the controller merges reads as a local run's.
 */
describe('agents with their own worker processes', () => {
	async function setup(t: TestContext) {
		const redis = await startTestRedis();
		const server = await startTestServer();
		t.after(async () => {
			await server.close();
			await redis.stop();
		});
		return {redis, server};
	}

	test('--scenario broadcast over 2 agents of 2 workers: each agent adds up its workers\' tallies, expected = received = clients x broadcasts', async t => {
		const {redis, server} = await setup(t);
		const clients = 8;
		const count = 30;
		const args = ['--scenario', 'broadcast', '--url', `${server.url}/dashboard/stream`, '--clients', String(clients), '--ramp', '0', '--count', String(count), '--rate', '100', '--trigger', server.url, '--drain', '3s', '--threshold', 'delivery==100%'];
		const agents = startAgents(redis.url, 2, 'abcast', 60_000, () => ['--workers', '2']);
		const controller = startController(redis.url, 'abcast', args, 60_000, 2);
		assert.equal(await exited(controller, 'the controller', 50_000), 0, controller.stderr());
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000))), [0, 0]);
		for (const agent of agents) {
			assert.match(agent.stderr(), /clients \d+-\d+ \(4\) in 2 processes/);
		}

		assert.match(controller.stderr(), new RegExp(`all ${clients} clients subscribed on the agents after .*; publishing ${count} messages at 100/s`));
		assert.match(controller.stderr(), /every expected delivery arrived on every agent/);
		const merged = controllerSummary(controller);
		assertEveryBroadcastArrived(merged, clients, count, '2 agents of 2 workers');
		assert.deepEqual(merged.thresholds.map(item => [item.expr, item.passed]), [['delivery==100%', true]]);
		assertSumsMatch(merged, agents.map(agent => agentReport(agent).summary));

		const local = await runCli([...args, '--json'], {env, timeoutMs: 40_000});
		assert.equal(local.code, 0, local.stderr);
		assert.deepEqual(shapeOf(merged.broadcast), shapeOf((JSON.parse(local.stdout) as Summary).broadcast), 'the broadcast block of a local run');
	});

	test('POST request streams through --proxy over 2 agents (one of 2 workers): the stream counts and the transport of a local run', async t => {
		const {redis, server} = await setup(t);
		const proxy = await startConnectProxy();
		t.after(async () => proxy.close());
		const clients = 6;
		const args = ['--url', `${server.url}/stream/echo`, '--method', 'POST', '--body', '{"events":20,"interval":"2ms"}', '--until-data', '[DONE]', '--then', 'stop', '--clients', String(clients), '--ramp', '0', '--proxy', proxy.url];
		const local = await runCli([...args, '--json'], {env, timeoutMs: 30_000});
		assert.equal(local.code, 0, local.stderr);
		const one = JSON.parse(local.stdout) as Summary;
		const tunnels = proxy.tunnels.length;
		const agents = startAgents(redis.url, 2, 'astreams', 60_000, index => ['--workers', String(index + 1)]);
		const controller = startController(redis.url, 'astreams', args, 60_000, 2);
		assert.equal(await exited(controller, 'the controller', 40_000), 0, controller.stderr());
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000))), [0, 0]);
		const merged = controllerSummary(controller);
		const parts = agents.map(agent => agentReport(agent).summary);
		for (const summary of [one, merged]) {
			const streams = summary.streams!;
			assert.equal(streams.method, 'POST');
			assert.equal(streams.requests, clients);
			assert.equal(streams.completed, clients);
			assert.equal(streams.outcomes.marker, clients);
			assert.equal(streams.ttfeMs?.count, clients);
			assert.equal(streams.eventsPerStream?.count, clients);
			assert.equal(streams.eventsPerStream?.p50, 21, '20 events and the [DONE] marker');
			assert.equal(summary.messages.total, clients * 21);
			assert.equal(summary.transport?.streams, clients, 'every stream went through undici');
		}

		assert.deepEqual(shapeOf(merged.streams), shapeOf(one.streams));
		assert.deepEqual(shapeOf(merged.transport), shapeOf(one.transport));
		assert.deepEqual(merged.streams!.outcomes, one.streams!.outcomes);
		assert.deepEqual(parts.map(part => [part.streams?.requests, part.transport?.streams]), [[3, 3], [3, 3]], 'each agent\'s own summary has its streams');
		// Each agent's share went through the proxy: a tunnel (at least) per process, every connection one.
		const agentTunnels = proxy.tunnels.length - tunnels;
		assert.ok(merged.transport!.connections >= 3 && merged.transport!.connections <= agentTunnels, `${merged.transport!.connections} connections, ${agentTunnels} tunnels`);
	});

	test('--http2 over 2 agents (one of 2 workers): every stream on HTTP/2, 10 a connection within each process, the counts of a local run', async t => {
		const redis = await startTestRedis();
		const events = 5;
		const h2 = await startH2SseServer(events);
		t.after(async () => {
			await h2.close();
			await redis.stop();
		});
		const clients = 40;
		const args = ['--url', h2.url, '--http2', '--insecure', '--streams-per-connection', '10', '--clients', String(clients), '--ramp', '0', '--until-data', '[DONE]', '--then', 'stop'];
		const agents = startAgents(redis.url, 2, 'ah2', 60_000, index => ['--workers', String(index + 1)]);
		const controller = startController(redis.url, 'ah2', args, 60_000, 2);
		assert.equal(await exited(controller, 'the controller', 40_000), 0, controller.stderr());
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000))), [0, 0]);
		const merged = controllerSummary(controller);
		assert.equal(merged.streams!.completed, clients);
		assert.equal(merged.messages.total, clients * (events + 1));
		assert.equal(merged.delivery.gaps, 0);
		assert.equal(merged.transport!.http2, true);
		assert.equal(merged.transport!.streams, clients);
		// 20 clients an agent: one process of 20 (2 connections), two workers of 10 (1 each).
		assert.equal(merged.transport!.connections, 4);
		assert.equal(h2.sessions.size, 4, 'the server saw 4 HTTP/2 sessions');
		assertSumsMatch(merged, agents.map(agent => agentReport(agent).summary));
	});

	test('the controller\'s dashboard shows the broadcast\'s progress from the agents\' tallies (published of requested, owed)', async t => {
		const {redis, server} = await setup(t);
		const agents = startAgents(redis.url, 2, 'aprogress', 60_000);
		const config = resolveConfig({url: `${server.url}/dashboard/stream`, scenario: 'broadcast', clients: '6', ramp: '0', trigger: [server.url], count: '40', rate: '20', drain: '2s', agents: '2', redis: redis.url, run: 'aprogress', json: true, tui: false}, env);
		const probe = createProbe();
		const summary = run(config, {stdout: new PassThrough(), stderr: new PassThrough(), version: packageInfo().version, stop: new AbortController().signal, presenter: probe.presenter});
		// The snapshot the dashboard draws its "broadcast N/M published" line from.
		await waitFor(() => probe.started && (probe.view.store.snapshot().broadcast?.published ?? 0) >= 10, 'the broadcast\'s progress in the snapshots', 30_000).catch((error: Error) => {
			throw new Error(`${error.message}; snapshot: ${JSON.stringify(probe.started ? probe.view.store.snapshot().broadcast : null)}; lines:\n${probe.lines.join('\n')}`);
		});
		const progress = probe.view.store.snapshot().broadcast!;
		assert.equal(progress.requested, 40);
		assert.equal(progress.subscribed, 6, 'the agents\' subscribed clients, added up');
		assert.equal((await summary).broadcast!.received, 6 * 40);
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000))), [0, 0]);
	});
});
