import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import type {Summary} from '../../source/reporters/summary.js';
import {run} from '../../source/run.js';
import {runCli} from '../helpers/cli.js';
import {assertEveryBroadcastArrived} from '../helpers/broadcast-checks.js';
import {shapeOf} from '../helpers/json-shape.js';
import {createProbe} from '../helpers/run-probe.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';

describe('--scenario broadcast across worker processes', () => {
	test('--workers 2: every client gets every broadcast once, and --json, the thresholds and --report read as with --workers 1', async () => {
		const server = await startTestServer();
		const dir = await mkdtemp(join(tmpdir(), 'sse-tui-wbcast-'));
		try {
			const clients = 8;
			const count = 30;
			const summaries: Summary[] = [];
			for (const workers of [1, 2]) {
				const report = join(dir, `report-${workers}.html`);
				const result = await runCli(['--scenario', 'broadcast', '--url', `${server.url}/dashboard/stream`, '--clients', String(clients), '--ramp', '0', '--count', String(count), '--rate', '100', '--trigger', server.url, '--drain', '3s', '--workers', String(workers), '--json', '--report', report, '--threshold', 'delivery==100%', '--threshold', 'fanout.p99<5s'], {timeoutMs: 40_000});
				assert.equal(result.code, 0, result.stderr);
				assert.match(result.stderr, new RegExp(`all ${clients} clients subscribed after .*publishing ${count} messages at 100/s`));
				assert.match(result.stderr, /published 30 messages; every expected delivery arrived/);
				const summary = JSON.parse(result.stdout) as Summary;
				assert.equal(summary.stoppedBy, 'finished');
				assertEveryBroadcastArrived(summary, clients, count, `${workers} workers`);
				assert.deepEqual(summary.thresholds.map(item => [item.expr, item.passed]), [['delivery==100%', true], ['fanout.p99<5s', true]]);
				const html = await readFile(report, 'utf8');
				assert.match(html, /<h2>Broadcast fan-out<\/h2><div class="chart-grid">/, 'the report draws the fan-out chart');
				summaries.push(summary);
			}

			// The timeline has a point per second: the one-process run may end before its first.
			const [one, two] = summaries.map(summary => shapeOf({...summary, timeline: []}));
			assert.deepEqual(two, one, 'the same JSON shape');
		} finally {
			await server.close();
			await rm(dir, {recursive: true, force: true});
		}
	});

	test('a worker killed mid-broadcast is reported in one line, its clients failed; the others\' clients get every broadcast', async () => {
		const server = await startTestServer();
		try {
			const config = resolveConfig({url: `${server.url}/dashboard/stream`, scenario: 'broadcast', clients: '4', ramp: '0', workers: '2', trigger: [server.url], count: '40', rate: '10', drain: '2s', json: true});
			const probe = createProbe();
			const done = run(config, {stdout: new PassThrough(), stderr: new PassThrough(), version: 'test', stop: new AbortController().signal, presenter: probe.presenter});
			// The dashboard's progress line is fed by the workers' tallies.
			await waitFor(() => probe.started && (probe.view.store.snapshot().broadcast?.published ?? 0) >= 25, 'more than half the broadcasts published', 20_000);
			assert.equal(probe.view.store.snapshot().broadcast!.requested, 40);
			const pids = execFileSync('pgrep', ['-P', String(process.pid)], {encoding: 'utf8'}).split('\n').filter(Boolean).map(Number);
			assert.equal(pids.length, 2);
			process.kill(pids[0]!, 'SIGKILL');
			const summary = await done;
			const lost = probe.lines.filter(line => line.startsWith('error worker'));
			assert.equal(lost.length, 1, probe.lines.join('\n'));
			assert.match(lost[0]!, /^error worker w\d \(clients \d-\d\) exited \(SIGKILL\) before its final metrics: its 2 clients are counted as failed; the run goes on$/);
			assert.equal(summary.stoppedBy, 'finished');
			assert.equal(summary.clients.final.failed, 2);
			assert.equal(summary.clients.final.closed, 2);
			const b = summary.broadcast!;
			assert.equal(b.published, 40);
			// Before the kill all 4 were expected and got it; after it, only the live worker's 2.
			assert.deepEqual(b.broadcasts.map(item => [item.expected, item.received])[0], [4, 4]);
			assert.deepEqual(b.broadcasts.map(item => [item.expected, item.received]).at(-1), [2, 2]);
			assert.equal(b.received + b.missing.total, b.expected);
			assert.ok(b.expected >= 2 * 40 + 2 * 10 && b.expected < 4 * 40, `expected ${b.expected}`);
		} finally {
			await server.close();
		}
	});
});
