import assert from 'node:assert/strict';
import {fork, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {serverBinPath, startCommand} from '../helpers/cli.js';
import {waitFor} from '../helpers/server-start.js';

const helper = (name: string): string => fileURLToPath(new URL(`../helpers/${name}.js`, import.meta.url));

async function ask<T>(child: ChildProcess, message: Record<string, unknown>, reply: string, timeoutMs = 60_000): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${reply} within ${timeoutMs} ms`)), timeoutMs);
		const onMessage = (answer: {cmd: string}): void => {
			if (answer.cmd === reply) {
				clearTimeout(timer);
				child.off('message', onMessage);
				resolve(answer as T);
			}
		};

		child.on('message', onMessage);
		child.send(message);
	});
}

function rssBytes(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return Number(match?.[1] ?? 0) * 1024;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

/**
 * Issue 17, load and faults: `serve` (a real process) with 2,000 SSE readers, 100 SSE readers
 * that never read and 100 ActionCable sockets that never read with 100 subscriptions each (so
 * their buffers fill in seconds, not the ~50 s 8 KiB at 10/s takes to fill 4 MB of kernel
 * buffer), while 8 KiB updates go out at 10/s and a separate process asks /health every 25 ms.
 * Behaviour only: the stalled sockets are dropped and counted, every reader keeps every update,
 * no probe fails, RSS stays bounded. Latency figures: bench/serve-probe.ts and README.
 */
test('serve under readers and stalled sockets: stalled ones dropped and counted, /health always answers, RSS bounded', {timeout: 90_000}, async t => {
	const server = startCommand(serverBinPath, ['--port', '0', '--interval', '0', '--heartbeat', '0', '--cable-ping', '0', '--stall-timeout', '2s', '--max-connections', '20000', '--log-level', 'warn'], {timeoutMs: 80_000});
	const readers = fork(helper('load-readers'), [], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	const probe = fork(helper('health-probe'), [], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	try {
		await waitFor(() => /Press Ctrl-C/.test(server.stdout()), 'the server', 15_000);
		const url = /listening on (http:\S+)/.exec(server.stdout())![1]!;
		const port = Number(new URL(url).port);
		const opened = await ask<{open: number; failed: number}>(readers, {cmd: 'open', port, readers: 2000, stalled: 100, stalledCable: 100, subscriptions: 100}, 'opened');
		assert.equal(opened.failed, 0);
		assert.equal(opened.open, 2200);
		probe.send({cmd: 'start', port, everyMs: 25, timeoutMs: 2000});

		let peakRss = 0;
		let published = 0;
		const started = Date.now();
		while (Date.now() - started < 8000) {
			const response = await fetch(`${url}/dashboard/trigger-test?count=1&pad=8192`, {method: 'POST'});
			assert.equal(response.status, 200, await response.text());
			published++;
			peakRss = Math.max(peakRss, rssBytes(server.child.pid!));
			await new Promise(resolve => {
				setTimeout(resolve, Math.max(0, (published * 100) - (Date.now() - started)));
			});
		}

		// Every reader gets every update (allow them a few seconds to drain).
		let counts = await ask<{open: number; closed: number; minEvents: number; stalledClosed: number}>(readers, {cmd: 'count'}, 'counts');
		for (let wait = 0; wait < 50 && counts.minEvents < published; wait++) {
			await new Promise(resolve => {
				setTimeout(resolve, 200);
			});
			counts = await ask(readers, {cmd: 'count'}, 'counts');
		}

		const probed = await ask<{latencies: number[]; failures: number; firstFailure: string}>(probe, {cmd: 'stop'}, 'probed');
		const stats = (await (await fetch(`${url}/dashboard/stats`)).json()) as {drops: {slow_consumer: number; by_bytes: number; by_time: number}; connections: {sse: {current: number}; cable: {current: number}}};
		const sorted = probed.latencies.sort((a, b) => a - b);
		t.diagnostic(`published ${published}; /health ${sorted.length} probes, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; drops ${JSON.stringify(stats.drops)}; peak RSS ${Math.round(peakRss / 1e6)} MB`);

		assert.equal(probed.failures, 0, `a /health probe failed: ${probed.firstFailure}`);
		assert.ok(sorted.length > 100, `${sorted.length} probes`);
		assert.ok(stats.drops.slow_consumer >= 100, `the 100 stalled cable sockets are dropped: ${JSON.stringify(stats.drops)}`);
		assert.equal(stats.drops.slow_consumer, stats.drops.by_bytes + stats.drops.by_time);
		assert.equal(stats.connections.cable.current, 0);
		assert.equal(counts.closed, 0, 'no reading reader was dropped');
		assert.equal(counts.open, 2000);
		assert.ok(counts.minEvents >= published, `every reader got all ${published} updates (the slowest: ${counts.minEvents})`);
		assert.ok(peakRss < 800 * 1024 * 1024, `RSS ${Math.round(peakRss / 1e6)} MB`);
		// The log says so, once per kind of drop and then as a count, not once per socket.
		await waitFor(() => /subscriber dropped/.test(server.stderr()), 'the drop in the log');
		const lines = server.stderr().split('\n');
		assert.ok(lines.filter(line => line.includes('subscriber dropped:')).length <= 20, 'repeated drop lines are counted, not printed (10 of each kind)');
	} catch (error) {
		throw new Error(`${String(error)} ${String((error as {cause?: unknown}).cause)} ${(error as Error).stack}\nserver stderr (tail): ${server.stderr().slice(-3000)}`);
	} finally {
		readers.kill('SIGKILL');
		probe.kill('SIGKILL');
		server.kill('SIGKILL');
		await server.code;
	}
});
