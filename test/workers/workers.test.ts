import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import type {Summary} from '../../source/reporters/summary.js';
import {run} from '../../source/run.js';
import {createProbe} from '../helpers/run-probe.js';
import {startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';

function startRun(server: TestServer, clients: number, workers: number) {
	const config = resolveConfig({url: `${server.url}/dashboard/stream`, clients: String(clients), workers: String(workers), ramp: '0', json: true});
	const probe = createProbe();
	const stop = new AbortController();
	const stdout = new PassThrough();
	let json = '';
	stdout.on('data', (chunk: Buffer) => {
		json += chunk.toString();
	});
	const done = run(config, {stdout, stderr: new PassThrough(), version: 'test', stop: stop.signal, presenter: probe.presenter});
	return {
		probe,
		done,
		stop() {
			stop.abort();
		},
		json: () => JSON.parse(json) as Summary,
	};
}

async function waitForStart(probe: ReturnType<typeof createProbe>) {
	await waitFor(() => {
		try {
			return Boolean(probe.view);
		} catch {
			return false;
		}
	}, 'the run to start');
}

/** The worker processes: the direct children of this test process. */
function children(): number[] {
	const out = execFileSync('pgrep', ['-P', String(process.pid)], {encoding: 'utf8'});
	return out.split('\n').filter(Boolean).map(Number);
}

describe('--workers (clients in child processes, merged)', () => {
	test('the summary of a 2-worker run equals what the server sent', async () => {
		const server = await startTestServer();
		try {
			const running = startRun(server, 6, 2);
			await waitForStart(running.probe);
			const {store} = running.probe.view;
			await waitFor(() => store.snapshot().states.open === 6, '6 open clients', 10_000);
			let sent = 0;
			for (let index = 0; index < 5; index++) {
				sent += server.broadcast({n: index, sent_at: Date.now()});
			}

			assert.equal(sent, 30);
			await waitFor(() => store.snapshot().totals.messages === sent, 'every message merged', 10_000);
			running.stop();
			const summary = await running.done;
			assert.deepEqual(summary, running.json());
			assert.equal(summary.clients.connected, 6);
			assert.equal(summary.messages.total, sent);
			assert.equal(summary.delivery.ratio, 1);
			assert.equal(summary.delivery.gaps, 0);
			assert.equal(summary.delivery.accountedClients, 6);
			// Closing happens after the last periodic message: only the final ones carry it.
			assert.equal(summary.clients.final.closed, 6);
			assert.equal(summary.connectMs?.count, 6);
			assert.equal(summary.latencyMs?.count, sent);
			const rows = store.clientRows();
			assert.deepEqual(rows.map(row => row.id), [1, 2, 3, 4, 5, 6]);
			assert.deepEqual(rows.map(row => row.messages), [5, 5, 5, 5, 5, 5]);
			assert.deepEqual(rows.map(row => row.state), ['closed', 'closed', 'closed', 'closed', 'closed', 'closed']);
		} finally {
			await server.close();
		}
	});

	test('a worker that dies is reported in one line, its clients failed, and the run goes on', async () => {
		const server = await startTestServer();
		try {
			const running = startRun(server, 4, 2);
			await waitForStart(running.probe);
			const {store} = running.probe.view;
			await waitFor(() => store.snapshot().states.open === 4, '4 open clients', 10_000);
			const pids = children();
			assert.equal(pids.length, 2);
			process.kill(pids[0]!, 'SIGKILL');
			await waitFor(() => running.probe.lines.some(line => line.startsWith('error worker')), 'the lost worker reported', 10_000);
			const lost = running.probe.lines.filter(line => line.startsWith('error worker'));
			assert.equal(lost.length, 1);
			assert.match(lost[0]!, /^error worker w\d \(clients \d-\d\) exited \(SIGKILL\) before its final metrics: its 2 clients are counted as failed; the run goes on$/);
			assert.equal(store.snapshot().states.failed, 2);
			// The other worker's clients still receive.
			await waitFor(() => server.stats().sse.current === 2, 'the dead worker\'s sockets gone', 10_000);
			assert.equal(server.broadcast({n: 1}), 2);
			await waitFor(() => store.snapshot().totals.messages === 2, 'the survivors\' messages', 10_000);
			running.stop();
			const summary = await running.done;
			assert.equal(summary.clients.final.failed, 2);
			assert.equal(summary.clients.final.closed, 2);
			assert.equal(summary.messages.total, 2);
		} finally {
			await server.close();
		}
	});

	test('+ and - (RunControls) start and stop clients in the workers, with new global ids', async () => {
		const server = await startTestServer();
		try {
			const running = startRun(server, 2, 2);
			await waitForStart(running.probe);
			const {store, controls} = running.probe.view;
			await waitFor(() => store.snapshot().states.open === 2, '2 open clients', 10_000);
			controls.addClients(3);
			assert.equal(controls.clients, 5);
			await waitFor(() => store.snapshot().states.open === 5, '5 open clients', 10_000);
			await waitFor(() => store.rowTable().count === 5 && store.clientRow(5).state === 'open', 'the row of client 5', 10_000);
			await controls.removeClients(2);
			assert.equal(controls.clients, 3);
			await waitFor(() => store.snapshot().states.open === 3, '3 open clients', 10_000);
			assert.equal(store.snapshot().states.closed, 2);
			running.stop();
			const summary = await running.done;
			assert.equal(summary.clients.connected, 5);
			assert.equal(summary.clients.final.closed, 5);
		} finally {
			await server.close();
		}
	});
});
