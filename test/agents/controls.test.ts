import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {describe, test} from 'node:test';
import {cliPath, shellQuote} from '../helpers/cli.js';
import {startTestRedis} from '../helpers/redis-server.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {agentReport, exited, startAgents, waitForText} from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * The dashboard's +/- keys and Ctrl-C, pressed in a real terminal (tmux) on a controller: each
 * becomes a command on the stream that reaches the agents (+/- spread by capacity, so three
 * presses reach three agents; Ctrl-C stops every one of them cleanly).
 */
describe('the controller\'s dashboard keys reach every agent', {skip: hasTmux ? false : 'tmux is not installed'}, () => {
	test('+ three times: one more client on each agent; - six times: two fewer on each; Ctrl-C: every agent stops and exits 0', async t => {
		const redis = await startTestRedis();
		const server = await startTestServer({intervalMs: 200});
		const session = `sse-tui-agents-${process.pid}`;
		t.after(async () => {
			spawnSync('tmux', ['kill-session', '-t', session]);
			await server.close();
			await redis.stop();
		});
		const agents = startAgents(redis.url, 3, 'keys');
		const args = ['--url', `${server.url}/dashboard/stream`, '--clients', '30', '--ramp', '0', '--agents', '3', '--redis', redis.url, '--run', 'keys'];
		execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', `env CI=true NO_COLOR=1 SSE_URL= SSE_CLIENTS= node ${shellQuote(cliPath)} ${args.map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`]);
		// One key per read: keys typed faster than the dashboard reads them arrive as one string ("--").
		const press = async (key: string) => {
			execFileSync('tmux', ['send-keys', '-t', session, key]);
			await new Promise(resolve => {
				setTimeout(resolve, 200);
			});
		};
		await waitFor(() => server.stats().sse.current === 30, '30 clients open', 30_000);
		for (let index = 0; index < 3; index++) {
			await press('+');
		}

		await waitFor(() => server.stats().sse.current === 33, '33 clients open after + + +', 10_000);
		for (let index = 0; index < 6; index++) {
			await press('-');
		}

		await waitFor(() => server.stats().sse.current === 27, '27 clients open after six -', 10_000);
		await press('C-c');
		const codes = await Promise.all(agents.map(async (agent, index) => exited(agent, `agent ${index + 1}`, 20_000)));
		assert.deepEqual(codes, [0, 0, 0], agents.map(agent => agent.stderr()).join('\n'));
		for (const agent of agents) {
			await waitForText(agent, 'stopping (the controller ended the run)', 1000);
			const {summary} = agentReport(agent);
			assert.equal(summary.connections.successful, 11, `each agent got one of the three + (${agent.stderr()})`);
			assert.equal(summary.connections.active, 0);
		}

		const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], {encoding: 'utf8'});
		await waitFor(() => screen().includes('EXIT='), 'the controller to exit', 15_000);
		assert.match(screen(), /stopped by signal[\s\S]*EXIT=0/, screen());
	});
});
