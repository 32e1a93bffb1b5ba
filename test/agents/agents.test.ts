import assert from 'node:assert/strict';
import {describe, test, type TestContext} from 'node:test';
import {startTestRedis} from '../helpers/redis-server.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {agentReport, assertSumsMatch, controllerSummary, exited, pick, startAgents, startController, waitForText} from './helpers.js';

/**
 * A run over 3 load agents on one machine: a private redis-server, the agents as separate
 * processes on 127.0.0.2-4, the controller, and a server updating every client every 50 ms.
 */
describe('sse-tui agent and --agents', () => {
	/** Each test its own redis-server (one restarts it) and server (one counts its connections). */
	async function setup(t: TestContext, serverOptions: {intervalMs?: number} = {intervalMs: 50}) {
		const redis = await startTestRedis();
		const server = await startTestServer(serverOptions);
		t.after(async () => {
			await server.close();
			await redis.stop();
		});
		return {redis, server, url: `${server.url}/dashboard/stream`};
	}

	test('broadcast across agents: the controller publishes once all are subscribed, and every client gets every message', async t => {
		const {redis, server: quiet} = await setup(t, {});
		const agents = startAgents(redis.url, 3, 'broadcast');
		const controller = startController(redis.url, 'broadcast', ['--scenario', 'broadcast', '--url', `${quiet.url}/dashboard/stream`, '--clients', '30', '--count', '40', '--rate', '100', '--trigger', quiet.url, '--drain', '3s', '--threshold', 'delivery>=100%']);
		assert.equal(await exited(controller, 'the controller', 40_000), 0, controller.stderr());
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 10_000))), [0, 0, 0]);
		assert.match(controller.stderr(), /all 30 clients subscribed on the agents after .*; publishing 40 messages at 100\/s/);
		const merged = controllerSummary(controller);
		const b = merged.broadcast!;
		assert.equal(b.published, 40);
		assert.equal(b.expected, 30 * 40);
		assert.equal(b.received, 30 * 40);
		assert.equal(b.ratio, 1);
		assert.equal(b.clientsComplete, 30);
		assert.equal(b.missing.total, 0);
		assert.equal(b.duplicates.total, 0);
		assert.equal(b.broadcasts.length, 40);
		assert.ok(b.broadcasts.every(entry => entry.received === 30 && entry.expected === 30 && entry.fanoutMs !== null));
		assert.equal(b.latencyMs?.count, 30 * 40);
		assertSumsMatch(merged, agents.map(agent => agentReport(agent).summary));
	});

	test('a killed agent is marked lost, its clients failed, the others finish; agents_lost==0 fails the run', async t => {
		const {redis, url} = await setup(t);
		const agents = startAgents(redis.url, 3, 'lost');
		const controller = startController(redis.url, 'lost', ['--url', url, '--clients', '30', '--duration', '15s', '--ramp', '0', '--threshold', 'agents_lost==0']);
		await waitForText(agents[1]!, 'starting in', 20_000);
		await new Promise(resolve => {
			setTimeout(resolve, 2000);
		});
		agents[1]!.kill('SIGKILL');
		assert.equal(await exited(controller, 'the controller', 50_000), 1, controller.stderr());
		assert.match(controller.stderr(), /agent a2 \(.+\) has neither renewed its lease nor sent metrics for 10 s: marked lost, its 10 clients are counted as failed; the run goes on/);
		const merged = controllerSummary(controller);
		assert.equal(merged.agents?.lost, 1);
		assert.equal(merged.clients.final.failed, 10);
		assert.equal(merged.clients.final.closed, 20);
		assert.deepEqual(merged.thresholds.map(result => [result.expr, result.passed]), [['agents_lost==0', false]]);
		assert.equal(merged.agents?.list.find(row => row.name === 'a2')?.state, 'lost');
		for (const index of [0, 2]) {
			assert.equal(await exited(agents[index]!, `agent ${index + 1}`, 10_000), 0);
			assert.equal(agentReport(agents[index]!).summary.clients.final.closed, 10);
		}
	});

	test('a killed controller stops the agents\' clients within seconds', async t => {
		const {redis, server, url} = await setup(t);
		const agents = startAgents(redis.url, 3, 'gone');
		const controller = startController(redis.url, 'gone', ['--url', url, '--clients', '30', '--ramp', '0']);
		await Promise.all(agents.map(async agent => waitForText(agent, 'starting in', 20_000)));
		await new Promise(resolve => {
			setTimeout(resolve, 2500);
		});
		assert.equal(server.stats().sse.current, 30);
		controller.kill('SIGKILL');
		const killedAt = Date.now();
		// Each agent's clients are closed once it says it is stopping them (and it exits after that).
		const stoppedAfter = await Promise.all(agents.map(async agent => {
			await waitForText(agent, 'stopping the clients', 30_000);
			return Date.now() - killedAt;
		}));
		const codes = await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 30_000)));
		assert.deepEqual(codes, [1, 1, 1]);
		// The lease lives 3 s past the last heartbeat (at most 0.5 s before the kill), then 1 s of
		// absence and one 0.5 s check: 4.5 s at most, ~4 s typical; 9 s leaves a loaded 2-core box
		// its slack and stays far under the 10 s lease alone of before.
		t.diagnostic(`the agents stopped ${stoppedAfter.join(', ')} ms after the controller was killed`);
		assert.ok(Math.max(...stoppedAfter) < 9000, `the agents stopped ${stoppedAfter.join(', ')} ms after the controller died`);
		for (const agent of agents) {
			assert.match(agent.stderr(), /the controller is gone \(its lease expired and Redis answers\): stopping the clients/);
		}

		await waitFor(() => server.stats().sse.current === 0, 'every agent\'s clients closed', 10_000);
	});

	test('the merged summary is the sum of the agents\' own, through a Redis restart mid-run; every key of the run is gone at the end', async t => {
		const {redis, url} = await setup(t);
		const agents = startAgents(redis.url, 3, 'sum');
		const controller = startController(redis.url, 'sum', ['--url', url, '--clients', '31', '--duration', '5s', '--ramp', '0', '--threshold', 'agents_lost==0']);
		await Promise.all(agents.map(async agent => waitForText(agent, 'starting in', 20_000)));
		await new Promise(resolve => {
			setTimeout(resolve, 2500);
		});
		// The controller paused while the agents send: what they sent meanwhile sits unread in
		// Redis when it restarts, lost with it unless the agents send it again.
		controller.kill('SIGSTOP');
		await new Promise(resolve => {
			setTimeout(resolve, 700);
		});
		await redis.restart();
		controller.kill('SIGCONT');
		assert.equal(await exited(controller, 'the controller', 30_000), 0, controller.stderr());
		const codes = await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 15_000)));
		assert.deepEqual(codes, [0, 0, 0], agents.map(agent => agent.stderr()).join('\n'));
		const merged = controllerSummary(controller);
		const parts = agents.map(agent => agentReport(agent).summary);
		assert.deepEqual(parts.map(part => part.clients.requested), [11, 10, 10]);
		assert.equal(merged.connections.successful, 31);
		assert.ok(merged.messages.total > 300, `messages flowed (${merged.messages.total})`);
		assertSumsMatch(merged, parts);
		// The partial-event budget of every agent travels and is summed (assertSumsMatch checked the sum).
		assert.ok(pick(merged, 'buffered.budgetBytes') > 0, 'the agents\' partial-event budgets reach the controller');
		assert.equal(merged.agents?.count, 3);
		assert.equal(merged.agents?.lost, 0);
		assert.deepEqual(merged.agents?.list.map(row => [row.name, row.state, row.clients]), [['a1', 'done', 11], ['a2', 'done', 10], ['a3', 'done', 10]]);
		assert.ok(merged.agents?.list.every(row => row.rssBytes !== null && row.lagMs !== null));
		assert.deepEqual(await redis.client().keys('sse-tui:sum:*'), []);
	});
});
