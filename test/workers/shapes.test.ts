import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {cliPath, runCli, startCommand} from '../helpers/cli.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';
import {assertStormAtRecovered} from '../helpers/storm.js';

const parse = (stdout: string) => JSON.parse(stdout) as Summary;

/**
 * The load shapes with the clients in two worker processes: the driver runs in the parent, fed
 * each client's life by the workers (source/workers/lifecycle.ts), and steers them over IPC.
 * The same numbers as in one process (test/cli/shapes.test.ts), from merged parts.
 */
describe('load shapes with --workers 2', () => {
	test('--scenario storm --storm-at: every client of both workers dropped at once and back, time to 50/99/100 %', async () => {
		const server = await startTestServer({retryMs: 200});
		try {
			// --storm-at counts from the start of the run, and worker processes take a second or more to start on a loaded machine.
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--scenario', 'storm', '--clients', '30', '--storm-at', '5s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			assertStormAtRecovered(summary, 30);
			assert.equal(server.stats().sse.total, 60, 'each client connected twice');
		} finally {
			await server.close();
		}
	});

	test('--scenario storm without --storm-at: a server restart seen across both workers, with the failed attempts while it was down', async () => {
		let server = await startTestServer({retryMs: 100, intervalMs: 50, replay: 0});
		const {port} = new URL(server.url);
		const running = startCommand(cliPath, ['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--scenario', 'storm', '--clients', '20', '--max-backoff', '200ms', '--min-retry', '0', '--json'], {env: {NO_COLOR: '1'}, timeoutMs: 30_000});
		try {
			await waitFor(() => server.stats().sse.current === 20, 'all 20 open', 15_000);
			await new Promise(resolve => {
				setTimeout(resolve, 500);
			});
			await server.close();
			await new Promise(resolve => {
				setTimeout(resolve, 600);
			});
			server = await startTestServer({retryMs: 100, intervalMs: 50, replay: 0, port: Number(port)});
			const code = await running.code;
			assert.equal(code, 0, running.stderr());
			const storm = parse(running.stdout()).storm!;
			assert.equal(storm.trigger, 'server-restart');
			assert.equal(storm.dropped, 20);
			assert.equal(storm.back, 20);
			assert.ok(storm.backMs.p100 !== null && storm.backMs.p100 >= 400, `down for 600 ms (got ${storm.backMs.p100})`);
			assert.ok((storm.failedAttempts.byKind.connect ?? 0) > 0, JSON.stringify(storm.failedAttempts));
		} finally {
			running.kill('SIGKILL');
			await server.close();
		}
	});

	test('--stages: clients follow the line up and down across both workers', async () => {
		const server = await startTestServer();
		try {
			// Worker processes take a second or more to start on a loaded machine: a first stage long enough for that.
		const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--stages', '4s:20,1s:20,1s:0', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			assert.equal(summary.stoppedBy, 'duration');
			assert.equal(summary.stages?.peakOpen, 20);
			const closing = /stopping \(duration\): closing (\d+) clients/.exec(result.stderr);
			assert.ok(closing && Number(closing[1]) <= 5, `ramped down before the end (${closing?.[0]})`);
		} finally {
			await server.close();
		}
	});

	test('--scenario hold: heartbeats and memory of every process, per connection', async () => {
		const server = await startTestServer({heartbeatMs: 100});
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--scenario', 'hold', '--clients', '20', '--connect-rate', '100/s', '--duration', '2s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const summary = parse(result.stdout);
			const hold = summary.hold!;
			assert.ok(hold.connectAllMs !== null && hold.connectAllMs >= 150, `20 clients at 100/s take about 190 ms (got ${hold.connectAllMs})`);
			assert.equal(hold.openAtEnd, 20);
			// Heard once a second from each worker: at least the first second's worth.
			assert.ok(hold.heartbeats >= 20 * 5, `heartbeats every 100 ms while holding (got ${hold.heartbeats})`);
			assert.equal(hold.stale, 0);
			const memory = summary.memory!;
			assert.equal(memory.connections, 20);
			// Three Node processes (the parent and two workers) before any client: well over one's ~40 MB.
			assert.ok(memory.baselineBytes > 100e6, `the baseline counts the workers too (got ${memory.baselineBytes})`);
			// 20 connections are too few to outweigh a fresh worker's heap settling: only the arithmetic is checked.
			assert.equal(memory.perConnectionBytes, Math.round((memory.rssBytes - memory.baselineBytes) / 20));
		} finally {
			await server.close();
		}
	});

	test('--scenario churn: the oldest clients of each worker replaced at --churn-rate, with their connect times', async () => {
		const server = await startTestServer();
		try {
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--scenario', 'churn', '--clients', '10', '--churn-rate', '20/s', '--duration', '6s', '--json'], {timeoutMs: 30_000});
			assert.equal(result.code, 0, result.stderr);
			const churn = parse(result.stdout).churn!;
			assert.ok(churn.closed >= 5, `about 20/s (got ${churn.closed})`);
			assert.ok(churn.reopened >= churn.closed - 5, `replacements opened (closed ${churn.closed}, reopened ${churn.reopened})`);
			assert.equal(churn.failed, 0);
			assert.equal(churn.connectMs?.count, churn.reopened);
			assert.ok(server.stats().sse.total >= 10 + churn.reopened, 'the replacements reached the server');
		} finally {
			await server.close();
		}
	});
});
