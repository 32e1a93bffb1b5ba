/**
 * Claim (README, Reliability: the server): `sse-tui serve` under 5,000 SSE readers plus 500
 * that never read, with 8 KiB broadcasts at 10/s, answers /health within 100 ms p99, measured
 * from a separate probe process (a fresh connection every 25 ms), and drops the stalled ones.
 * Run: node dist/bench/serve-probe.js [--seconds 60] [--readers 5000] [--stalled 500] [--runs 1]
 *
 * The server is `sse-tui serve` in its own process (--stall-timeout 5s); the readers live in
 * test/helpers/load-readers.js, the probe in test/helpers/health-probe.js. Printed per run:
 * /health p50, p99, max and failures, drops by kind, the server's peak RSS, and the load
 * average (the box is shared: compare runs taken together).
 */
import {fork, spawn, type ChildProcess} from 'node:child_process';
import {loadavg} from 'node:os';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {rssBytes} from './lib/proc.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): number => {
	const index = args.indexOf(name);
	return Number(index === -1 ? fallback : (args[index + 1] ?? fallback));
};

const seconds = option('--seconds', '60');
const readerCount = option('--readers', '5000');
const stalledCount = option('--stalled', '500');
const runs = option('--runs', '1');
const file = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

async function ask<T>(child: ChildProcess, message: Record<string, unknown>, reply: string): Promise<T> {
	return new Promise(resolve => {
		const onMessage = (answer: {cmd: string}): void => {
			if (answer.cmd === reply) {
				child.off('message', onMessage);
				resolve(answer as T);
			}
		};

		child.on('message', onMessage);
		child.send(message);
	});
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function run(): Promise<void> {
	const server = spawn(process.execPath, [file('../test/helpers/server-bin.js'), '--port', '0', '--interval', '0', '--heartbeat', '0', '--stall-timeout', '5s', '--max-connections', '20000', '--log-level', 'warn'], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	server.stdout.on('data', (chunk: Buffer) => {
		out += chunk.toString();
	});
	while (!/Press Ctrl-C/.test(out)) {
		await new Promise(resolve => {
			setTimeout(resolve, 50);
		});
	}

	const url = /listening on (http:\S+)/.exec(out)![1]!;
	const port = Number(new URL(url).port);
	const readers = fork(file('../test/helpers/load-readers.js'), [], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	const probe = fork(file('../test/helpers/health-probe.js'), [], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	const opened = await ask<{open: number; failed: number}>(readers, {cmd: 'open', port, readers: readerCount, stalled: stalledCount, stalledCable: 0, subscriptions: 0}, 'opened');
	probe.send({cmd: 'start', port, everyMs: 25, timeoutMs: 5000});
	let peak = 0;
	let published = 0;
	const started = Date.now();
	while (Date.now() - started < seconds * 1000) {
		const response = await fetch(`${url}/dashboard/trigger-test?count=1&pad=8192`, {method: 'POST'});
		await response.arrayBuffer();
		published += response.status === 200 ? 1 : 0;
		peak = Math.max(peak, rssBytes(server.pid!));
		await new Promise(resolve => {
			setTimeout(resolve, Math.max(0, (published * 100) - (Date.now() - started)));
		});
	}

	const probed = await ask<{latencies: number[]; failures: number; firstFailure: string}>(probe, {cmd: 'stop'}, 'probed');
	const stats = (await (await fetch(`${url}/dashboard/stats`)).json()) as {drops: Record<string, number>};
	const counts = await ask<{open: number; closed: number}>(readers, {cmd: 'count'}, 'counts');
	const sorted = probed.latencies.sort((a, b) => a - b);
	console.log(`${readerCount} readers + ${stalledCount} stalled (${opened.open} opened), ${published} x 8 KiB in ${seconds} s: /health p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms, ${probed.failures} failed of ${sorted.length + probed.failures}; drops ${JSON.stringify(stats.drops)}; readers still open ${counts.open}; server peak RSS ${Math.round(peak / 1e6)} MB; load ${loadavg()[0]!.toFixed(1)}`);
	readers.kill('SIGKILL');
	probe.kill('SIGKILL');
	server.kill('SIGKILL');
}

for (let index = 0; index < runs; index++) {
	await run();
}
