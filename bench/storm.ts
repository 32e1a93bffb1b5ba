/**
 * Claim (issue 12): the reconnect storm a server restart causes, measured as a team would before
 * restarting production: 10,000 SSE clients on `sse-tui serve`, the server stopped (SIGTERM) and
 * started again on the same port, and the time until 50 %, 99 % and 100 % of the clients are back,
 * with the default backoff (--retry 3s and its jitter, then exponential backoff while attempts fail).
 * Run: npx tsc -p tsconfig.json && node dist/bench/storm.js [--clients 10000] [--runs 3]
 *
 * Both sides run as the CLI, exactly as a user runs them: `sse-tui serve --interval 1s` and
 * `sse-tui --scenario storm --no-tui --json` (without --storm-at, so the client watches for the
 * restart itself, and ends the run once every dropped client is back; 180 s at most). The
 * numbers are the client's own `storm` block; the server's restart gap
 * (SIGTERM sent -> the new server answering /health) is printed beside them, since every client
 * has to wait that out on top of its retry delay.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {runBenchmark} from './lib/children.js';
import {fixed, median, table} from './lib/report.js';

const {values: options} = parseArgs({options: {
	clients: {type: 'string', default: '10000'},
	runs: {type: 'string', default: '3'},
}});
const clients = Number(options.clients);
const runs = Number(options.runs);
const cli = fileURLToPath(new URL('../source/cli.js', import.meta.url));
const environment = {...process.env, NODE_ENV: 'production'};

const sleep = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

function startServer(port: number): ChildProcess {
	return spawn(process.execPath, [cli, 'serve', '--port', String(port), '--interval', '1s', '--max-connections', '19000', '--log-level', 'error'], {env: environment, stdio: 'ignore'});
}

async function connections(port: number): Promise<number | undefined> {
	try {
		const response = await fetch(`http://127.0.0.1:${port}/dashboard/stats`, {signal: AbortSignal.timeout(2000)});
		const stats = await response.json() as {connections?: {sse?: {current?: number}}};
		return stats.connections?.sse?.current ?? 0;
	} catch {
		return undefined;
	}
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
	const started = performance.now();
	for (;;) {
		if (await check()) {
			return performance.now() - started;
		}

		if (performance.now() - started > timeoutMs) {
			throw new Error(`${what}: not within ${timeoutMs} ms`);
		}

		await sleep(50);
	}
}

async function exited(child: ChildProcess): Promise<void> {
	if (child.exitCode === null && child.signalCode === null) {
		await new Promise(resolve => child.once('exit', resolve));
	}
}

type Storm = {trigger: string | null; dropped: number; back: number; backMs: {p50: number | null; p99: number | null; p100: number | null}; failedAttempts: {total: number; byKind: Record<string, number>}};
type Sample = {p50: number; p99: number; p100: number; gap: number; dropped: number; back: number; failed: number; connectS: number};

async function once(port: number): Promise<Sample> {
	let server = startServer(port);
	await until('server up', 20_000, async () => (await connections(port)) !== undefined);
	const client = spawn(process.execPath, [cli, '--url', `http://127.0.0.1:${port}/dashboard/stream`, '--scenario', 'storm', '--clients', String(clients), '--ramp', '0', '--timeout', '30s', '--no-tui', '--json', '--log-level', 'error'], {env: environment, stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	client.stdout!.setEncoding('utf8').on('data', (text: string) => {
		out += text;
	});
	try {
		const connectMs = await until('all connected', 180_000, async () => (await connections(port) ?? 0) >= clients);
		await sleep(2000);
		const stopped = performance.now();
		server.kill('SIGTERM');
		await exited(server);
		const exitMs = performance.now() - stopped;
		server = startServer(port);
		await until('server back', 20_000, async () => (await connections(port)) !== undefined);
		const gap = performance.now() - stopped;
		console.error(`  server: exited ${Math.round(exitMs)} ms after SIGTERM, the new one answered ${Math.round(gap - exitMs)} ms later`);
		// The storm scenario ends the run by itself once every dropped client is back.
		const timer = setTimeout(() => client.kill('SIGINT'), 180_000);
		await exited(client);
		clearTimeout(timer);
		const storm = (JSON.parse(out) as {storm?: Storm}).storm;
		if (!storm?.trigger || storm.backMs.p100 === null || storm.backMs.p99 === null || storm.backMs.p50 === null) {
			throw new Error(`the client saw no complete storm: ${JSON.stringify(storm)}`);
		}

		return {p50: storm.backMs.p50, p99: storm.backMs.p99, p100: storm.backMs.p100, gap, dropped: storm.dropped, back: storm.back, failed: storm.failedAttempts.total, connectS: connectMs / 1000};
	} finally {
		client.kill('SIGKILL');
		server.kill('SIGKILL');
		await Promise.all([exited(client), exited(server)]);
	}
}

runBenchmark(async () => {
	const samples: Sample[] = [];
	for (let run = 1; run <= runs; run++) {
		const port = 3900 + Math.floor(Math.random() * 500);
		const sample = await once(port);
		samples.push(sample);
		console.error(`  run ${run}: ${sample.dropped} dropped, ${sample.back} back; 50 % ${Math.round(sample.p50)} ms, 99 % ${Math.round(sample.p99)} ms, 100 % ${Math.round(sample.p100)} ms; server away ${Math.round(sample.gap)} ms; ${sample.failed} failed attempts`);
	}

	const med = (key: keyof Sample) => median(samples.map(sample => sample[key]));
	console.log(`\nstorm: ${clients.toLocaleString('en-US')} SSE clients, sse-tui serve restarted (SIGTERM, then started again), default backoff (--retry 3s), medians of ${runs} runs (Node ${process.version})\n`);
	console.log(table(
		['connect all (s)', 'server away (ms)', 'back 50 % (ms)', 'back 99 % (ms)', 'back 100 % (ms)', 'failed attempts'],
		[[fixed(med('connectS'), 1), String(Math.round(med('gap'))), String(Math.round(med('p50'))), String(Math.round(med('p99'))), String(Math.round(med('p100'))), String(Math.round(med('failed')))]],
	));
	return 0;
});
