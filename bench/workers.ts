/**
 * Claims (issue 12): with --workers the parent stays light (its CPU at 40,000 clients, idle and
 * under a high event rate), the memory per connection (parent + workers), and ingest per
 * CPU-second with --workers 2 against --workers 1 at 10,000 clients, side by side.
 * Run: npx tsc -p tsconfig.json && node dist/bench/workers.js [--clients 40000] [--big-workers 3] [--ingest-clients 10000]
 *      [--runs 1] [--only big,ingest]
 *
 * The server is the reference server on 3 processes sharing one port (bench/lib/cluster-server.ts),
 * broadcasting on command. sse-tui runs as the CLI (--no-tui --json), exactly as a user runs it;
 * CPU and RSS come from /proc for its process and its worker processes (its children). Events
 * counted are the client's own --json total, checked against the server's deliveries.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {Child, runBenchmark} from './lib/children.js';
import {childrenOf, cpuSeconds, rssBytes} from './lib/proc.js';

const {values: options} = parseArgs({options: {
	clients: {type: 'string', default: '40000'},
	// 40,000 need 3: a process holds at most ~19,980 sockets (20,000 open files).
	'big-workers': {type: 'string', default: '3'},
	'ingest-clients': {type: 'string', default: '10000'},
	runs: {type: 'string', default: '1'},
	only: {type: 'string', default: 'big,ingest'},
}});
const cli = fileURLToPath(new URL('../source/cli.js', import.meta.url));
const sleep = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

type Stats = {current: number; messages: number};

async function startClients(port: number, clients: number, workers: number, extra: string[] = []): Promise<{child: ChildProcess; pid: number; output: Promise<string>}> {
	const child = spawn(process.execPath, [cli, '--url', `http://127.0.0.1:${port}/dashboard/stream`, '--clients', String(clients), '--workers', String(workers), '--ramp', '0', '--no-tui', '--json', '--timeout', '120s', '--log-level', 'warn', ...extra], {
		env: {...process.env, NODE_ENV: 'production'},
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let out = '';
	child.stdout!.setEncoding('utf8').on('data', (text: string) => {
		out += text;
	});
	const output = new Promise<string>(resolve => {
		child.on('exit', () => {
			resolve(out);
		});
	});
	return {child, pid: child.pid!, output};
}

async function waitConnected(server: Child, clients: number, timeoutMs = 180_000): Promise<number> {
	const started = performance.now();
	for (;;) {
		const stats = await server.request<Stats & {cmd: string}>({cmd: 'stats'}, 'stats');
		if (stats.current >= clients) {
			return performance.now() - started;
		}

		if (performance.now() - started > timeoutMs) {
			throw new Error(`only ${stats.current} of ${clients} connected after ${timeoutMs} ms`);
		}

		await sleep(250);
	}
}

function processes(pid: number): number[] {
	return [pid, ...childrenOf(pid)];
}

async function window(pids: number[], ms: number): Promise<{parentCpu: number; workersCpu: number}> {
	const before = pids.map(pid => cpuSeconds(pid));
	await sleep(ms);
	const after = pids.map(pid => cpuSeconds(pid));
	const used = after.map((value, index) => value - before[index]!);
	return {parentCpu: used[0]!, workersCpu: used.slice(1).reduce((sum, value) => sum + value, 0)};
}

async function finish(run: {child: ChildProcess; output: Promise<string>}): Promise<{messages: number; connected: number}> {
	run.child.kill('SIGINT');
	const summary = JSON.parse(await run.output) as {messages: {total: number}; clients: {connected: number}};
	return {messages: summary.messages.total, connected: summary.clients.connected};
}

async function big(server: Child, port: number, clients: number): Promise<void> {
	// One source address reaches one port from ~28,000 ephemeral ports: past that, two addresses.
	const bigWorkers = Number(options['big-workers']);
	const run = await startClients(port, clients, bigWorkers, clients > 25_000 ? ['--local-address', '127.0.0.1,127.0.0.2'] : []);
	const connectMs = await waitConnected(server, clients);
	await sleep(3000);
	const pids = processes(run.pid);
	const idle = await window(pids, 5000);
	const rss = pids.map(pid => rssBytes(pid));
	const before = await server.request<Stats & {cmd: string}>({cmd: 'stats'}, 'stats');
	// A broadcast to every client each 400 ms: 100k events/s offered at 40,000 clients.
	const periodMs = Math.round(clients / 100);
	await server.request({cmd: 'rate', periodMs}, 'rate');
	const busyMs = 10_000;
	const busy = await window(pids, busyMs);
	const after = await server.request<Stats & {cmd: string}>({cmd: 'stats'}, 'stats');
	await server.request({cmd: 'rate', periodMs: 0}, 'rate');
	await sleep(2000);
	const final = await server.request<Stats & {cmd: string}>({cmd: 'stats'}, 'stats');
	const summary = await finish(run);
	const delivered = (after.messages - before.messages) / (busyMs / 1000);
	console.log(`${clients} clients, --workers ${bigWorkers}: all connected in ${(connectMs / 1000).toFixed(1)} s (${summary.connected} in the summary)`);
	console.log(`  idle: parent ${(idle.parentCpu / 5 * 100).toFixed(2)} % of a core, workers ${(idle.workersCpu / 5 * 100).toFixed(2)} % together`);
	console.log(`  RSS: parent ${(rss[0]! / 1024 / 1024).toFixed(0)} MB, workers ${rss.slice(1).map(bytes => (bytes / 1024 / 1024).toFixed(0)).join(' + ')} MB; ${(rss.reduce((sum, bytes) => sum + bytes, 0) / clients / 1024).toFixed(2)} KiB per connection in all, parent ${(rss[0]! / clients / 1024).toFixed(2)}`);
	console.log(`  busy (${periodMs} ms broadcasts, ${Math.round(clients * 1000 / periodMs)} events/s offered): server queued ${Math.round(delivered)} events/s; parent ${(busy.parentCpu / (busyMs / 1000) * 100).toFixed(1)} % of a core, workers ${(busy.workersCpu / (busyMs / 1000) * 100).toFixed(1)} % together; parent CPU per 100k events/s ${(busy.parentCpu / (busyMs / 1000) * 100 * 100_000 / Math.max(1, delivered)).toFixed(1)} %`);
	console.log(`  summary messages ${summary.messages} vs server deliveries ${final.messages} (${summary.messages === final.messages ? 'equal' : 'DIFFERENT'})`);
}

async function ingest(server: Child, port: number, clients: number, workers: number, periodMs: number): Promise<{perCpu: number; perSecond: number}> {
	const run = await startClients(port, clients, workers);
	await waitConnected(server, clients);
	await sleep(2000);
	const pids = processes(run.pid);
	const before = pids.map(pid => cpuSeconds(pid));
	await server.request({cmd: 'rate', periodMs}, 'rate');
	const started = performance.now();
	await sleep(8000);
	await server.request({cmd: 'rate', periodMs: 0}, 'rate');
	const seconds = (performance.now() - started) / 1000;
	await sleep(1500);
	const cpu = pids.map(pid => cpuSeconds(pid)).reduce((sum, value, index) => sum + value - before[index]!, 0);
	const summary = await finish(run);
	return {perCpu: summary.messages / cpu, perSecond: summary.messages / seconds};
}

runBenchmark(async () => {
	const port = 3590 + Math.floor(Math.random() * 300);
	const server = new Child('cluster-server', new URL('lib/cluster-server.js', import.meta.url), {args: ['3', String(port)]});
	await server.next('ready');
	if (options.only.includes('big')) {
		await big(server, port, Number(options.clients));
	}

	if (options.only.includes('ingest')) {
		const clients = Number(options['ingest-clients']);
		// paced: a broadcast each 500 ms (20k events/s at 10,000 clients), which both keep up with,
		// one event per read: the cost per event. saturated: each 50 ms (200k/s offered), more than
		// this box delivers: a client that falls behind reads several events at once and pays less
		// per event, so compare the totals there.
		for (const [label, periodMs] of [['paced', 500], ['saturated', 50]] as const) {
			const results: Record<number, Array<{perCpu: number; perSecond: number}>> = {1: [], 2: []};
			for (let run = 0; run < Number(options.runs); run++) {
				for (const workers of run % 2 === 0 ? [1, 2] : [2, 1]) {
					results[workers]!.push(await ingest(server, port, clients, workers, periodMs));
					await sleep(2000);
				}
			}

			const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
			const one = {perCpu: median(results[1]!.map(r => r.perCpu)), perSecond: median(results[1]!.map(r => r.perSecond))};
			const two = {perCpu: median(results[2]!.map(r => r.perCpu)), perSecond: median(results[2]!.map(r => r.perSecond))};
			console.log(`ingest at ${clients} clients, ${label}: ${Math.round(clients * 1000 / periodMs)} events/s offered (medians of ${options.runs}):`);
			console.log(`  --workers 1: ${Math.round(one.perCpu)} events per client CPU-second, ${Math.round(one.perSecond)} events/s`);
			console.log(`  --workers 2: ${Math.round(two.perCpu)} events per client CPU-second (parent + workers), ${Math.round(two.perSecond)} events/s`);
			console.log(`  ratio --workers 2 / --workers 1: ${(two.perCpu / one.perCpu).toFixed(2)} per CPU-second, ${(two.perSecond / one.perSecond).toFixed(2)} in total`);
		}
	}

	await server.stop();
});
