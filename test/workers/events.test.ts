import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {cliPath, runCli, startCommand} from '../helpers/cli.js';
import {startTestServer, waitFor} from '../helpers/server-start.js';

describe('--events FILE with --workers 2', () => {
	test('every worker appends its clients\' lines, by global id, whole lines only, and they add up to the summary', async () => {
		const server = await startTestServer({intervalMs: 100});
		const folder = await mkdtemp(path.join(tmpdir(), 'sse-tui-events-'));
		const file = path.join(folder, 'events.ndjson');
		try {
			// Until every client is open and has had a few updates (worker processes start slowly on a loaded machine), then Ctrl-C.
			const running = startCommand(cliPath, ['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--clients', '10', '--ramp', '0', '--events', file, '--json'], {timeoutMs: 30_000});
			await waitFor(() => server.stats().sse.current === 10, 'all 10 open', 20_000);
			await new Promise(resolve => {
				setTimeout(resolve, 1000);
			});
			running.kill('SIGINT');
			assert.equal(await running.code, 0, running.stderr());
			const summary = JSON.parse(running.stdout()) as Summary;
			const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
			const events = lines.map(line => JSON.parse(line) as {kind: string; client: number; t: number});
			const opens = events.filter(event => event.kind === 'open').map(event => event.client).sort((a, b) => a - b);
			assert.deepEqual(opens, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'one open per client, by global id (each worker numbers its own from 1)');
			assert.ok(events.every(event => event.client >= 1 && event.client <= 10 && event.t >= 0 && event.t < 10_000));
			assert.equal(events.filter(event => event.kind === 'event').length, summary.messages.total, 'the log and the merged summary count the same messages');
			assert.equal(events.filter(event => event.kind === 'close').length, 10);
		} finally {
			await rm(folder, {recursive: true, force: true});
			await server.close();
		}
	});

	test('a log the workers cannot write stops the run: one line, exit 1, summary printed', async () => {
		const server = await startTestServer({intervalMs: 100});
		try {
			// /dev/full opens for anyone and fails every write (ENOSPC); the parent writes nothing itself with workers.
			const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--workers', '2', '--clients', '4', '--duration', '20s', '--events', '/dev/full'], {timeoutMs: 30_000});
			assert.equal(result.code, 1, result.stderr);
			assert.match(result.stderr, /^sse-tui: cannot write the event log to \/dev\/full: ENOSPC.*; the run was stopped \(summary above\); pass --events a writable file path\n$/);
			assert.match(result.stdout, /=== Summary: .* stopped by error ===/);
		} finally {
			await server.close();
		}
	});

	test('--events - (standard output) is one process\'s: a usage error naming a file path', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '--workers', '2', '--clients', '2', '--events', '-']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /--events - writes to standard output from one process .* pass --events a file path/);
	});
});
