import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {Running} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';
import {createTmux, hasTmux} from '../helpers/tmux.js';
import {exited, startAgents} from '../agents/helpers.js';

/**
 * The controller's dashboard in a real terminal with 2 load agents (separate processes on
 * 127.0.0.2 and 127.0.0.3, a private redis-server): the per-agent panel, its key, the summary's table.
 */
const tmux = createTmux('agents');

/** An agent's row in the panel or the summary: name, host, state, clients, open (a number or a pattern). */
const agentLine = (name: string, state: string, clients: number, open: number | string) => new RegExp(`^ *${name} +\\S+ +${state} +${clients} +${open} `, 'm');

describe('the --agents dashboard in a real terminal', {skip: hasTmux ? false : 'tmux is not installed'}, () => {
	let redis: TestRedis;
	let server: TestServer;
	let agents: Running[] = [];
	before(async () => {
		redis = await startTestRedis();
		// An update to every client every 100 ms.
		server = await startTestServer({intervalMs: 100});
	});
	after(async () => {
		tmux.close();
		for (const agent of agents) {
			agent.kill('SIGKILL');
		}

		await server.close();
		await redis.stop();
	});

	test('the panel shows both agents with their open clients; a hides and shows it; q ends every agent and the summary has the table', async () => {
		agents = startAgents(redis.url, 2, 'tui', 90_000);
		const tty = tmux.terminal(['--url', `${server.url}/dashboard/stream`, '--clients', '6', '--ramp', '0', '--agents', '2', '--redis', redis.url, '--run', 'tui'], {columns: 120, rows: 40});
		const text = await tty.until(text => agentLine('a1', 'running', 3, 3).test(text) && agentLine('a2', 'running', 3, 3).test(text), 'both agents in the panel with 3 open each', 60_000);
		assert.match(text, /^2 agents: 2 running · a hides$/m);
		assert.match(text, /^name +host +state +clients +open +msgs\/s +errors +CPU % +RSS +lag\s*$/m);
		assert.match(text, /^a1 +\S+ +running +3 +3 +[\d.]+ +0 +\d+ +\d+ MiB +\d+ ms\s*$/m, 'CPU, RSS and lag measured');
		assert.match(text, /open 6 /, 'the totals merge both agents');

		tty.keys('a');
		await tty.until(text => !/^2 agents:/m.test(text) && /s r f p a \+\/- \? help/.test(text), 'the panel hidden');
		tty.keys('a');
		await tty.until(text => /^2 agents: 2 running · a hides$/m.test(text), 'the panel again');

		tty.keys('q');
		const end = await tty.until(text => /EXIT=\d+/.test(text), 'the controller to exit', 60_000);
		assert.match(end, /EXIT=0/);
		assert.match(end, /^Agents: +2 agents: 2 done \(run "tui" on redis:\/\/127\.0\.0\.1:\d+\)$/m);
		assert.match(end, agentLine('a1', 'done', 3, '\\d+'));
		assert.match(end, agentLine('a2', 'done', 3, '\\d+'));
		assert.deepEqual(await Promise.all(agents.map(async (agent, index) => exited(agent, `agent a${index + 1}`, 20_000))), [0, 0]);
	});
});
