/**
 * Claim: `sse-tui serve` fans out SSE at >= 90% of a minimal raw-socket server (same batching).
 * Run: node dist/bench/fanout.js [--quick] [--runs 3] [--sizes 1000,10000]
 *
 * This process hosts the server under test (ours, then the baseline, alternating); the
 * subscribers live in a child process (bench/fanout-clients.ts). Three measurements per
 * server and subscriber count:
 *  - burst: closed loop of K broadcasts at once, wait until every subscriber has all of them;
 *    deliveries/s = N x K x bursts / time. This is the throughput ceiling.
 *  - fixed rate: a timer offers a fixed total event rate for 2 s; deliveries/s achieved.
 *    Also deliveries per second of server CPU (process.cpuUsage), which holds still when other
 *    processes share the two cores; wall-clock rates do not.
 *  - latency: one broadcast on an idle server, time from broadcast() to the LAST subscriber
 *    receiving it (both processes read the same clock).
 * Medians of the runs are printed, with ours / baseline.
 */
import {fork, type ChildProcess} from 'node:child_process';
import {loadavg} from 'node:os';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {startServer} from '../server/server.js';
import {testUpdate} from '../source/payloads.js';
import {startBaseline} from './fanout-baseline.js';

type Target = {name: 'ours' | 'baseline'; port: number; broadcast(message: unknown): number; close(): Promise<void>};
type Reply = {cmd: string; at?: number; ms?: number};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: string): string => {
	const index = args.indexOf(name);
	return index === -1 ? fallback : (args[index + 1] ?? fallback);
};

const runs = Number(option('--runs', quick ? '1' : '3'));
const sizes = option('--sizes', '1000,10000').split(',').map(Number);
const burstSeconds = quick ? 1.5 : 3;
const rateSeconds = quick ? 1 : 2;
const latencySamples = quick ? 10 : 25;
const now = (): number => performance.timeOrigin + performance.now();

class Clients {
	private readonly child: ChildProcess;
	private waiting = new Map<string, (reply: Reply) => void>();

	constructor() {
		this.child = fork(fileURLToPath(new URL('fanout-clients.js', import.meta.url)), [], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
		this.child.on('message', (reply: Reply) => {
			const resolve = this.waiting.get(reply.cmd);
			this.waiting.delete(reply.cmd);
			resolve?.(reply);
		});
	}

	async request(message: Record<string, unknown>, replyCmd: string, timeoutMs = 60_000): Promise<Reply> {
		const reply = this.next(replyCmd, timeoutMs);
		this.child.send(message);
		return reply;
	}

	async next(replyCmd: string, timeoutMs = 60_000): Promise<Reply> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no ${replyCmd} from the client process within ${timeoutMs} ms`)), timeoutMs);
			this.waiting.set(replyCmd, reply => {
				clearTimeout(timer);
				resolve(reply);
			});
		});
	}

	/** Arms the child for `events` cumulative events; resolves once it is listening for them. */
	async expect(events: number, timeoutMs = 60_000): Promise<{reached: Promise<Reply>}> {
		const reached = this.next('reached', timeoutMs);
		await this.request({cmd: 'expect', events}, 'ready');
		return {reached}; // Wrapped: an async function would otherwise wait for it.
	}
}

async function startTarget(name: Target['name'], size: number): Promise<Target> {
	if (name === 'baseline') {
		return {name, ...(await startBaseline())};
	}

	const server = await startServer({port: 0, intervalMs: 0, heartbeatMs: 0, cablePingMs: 0, maxConnections: size + 100, logLevel: 'error'});
	return {name, port: server.port, broadcast: message => server.broadcast(message), close: () => server.close()};
}

type Result = {burst: number; perCpuSecond: number; rate: number; offered: number; latencyP50: number; latencyMax: number; connectMs: number};

async function measure(clients: Clients, name: Target['name'], size: number): Promise<Result> {
	const target = await startTarget(name, size);
	const connected = await clients.request({cmd: 'connect', port: target.port, count: size}, 'connected', 120_000);
	let sent = 1; // The retry hint counts as the first event at the client.
	let sequence = 0;
	const burstSize = Math.max(10, Math.round(200_000 / size));
	const burst = async (count: number): Promise<void> => {
		const {reached} = await clients.expect(sent + count);
		for (let index = 0; index < count; index++) {
			target.broadcast(testUpdate(++sequence, 0));
		}

		sent += count;
		await reached;
	};

	await burst(burstSize); // Warm-up: JIT, socket buffers.
	let bursts = 0;
	const cpuStart = process.cpuUsage();
	const burstStart = performance.now();
	while (performance.now() - burstStart < burstSeconds * 1000) {
		await burst(burstSize);
		bursts++;
	}

	const burstRate = (size * burstSize * bursts) / ((performance.now() - burstStart) / 1000);
	const cpu = process.cpuUsage(cpuStart);
	// Deliveries per second of server CPU: robust when other processes compete for the cores.
	const perCpuSecond = (size * burstSize * bursts) / ((cpu.user + cpu.system) / 1e6);

	// Fixed rate: 500k deliveries/s offered in 100 ms steps (N=10k: 5 events per step, i.e.
	// 100k socket writes/s, near what one core writes per MEASURED.md).
	const offered = 500_000;
	const perStep = Math.max(1, Math.round(offered / size / 10));
	const rateStart = performance.now();
	let rateEvents = 0;
	await new Promise<void>(resolve => {
		const timer = setInterval(() => {
			for (let index = 0; index < perStep; index++) {
				target.broadcast(testUpdate(++sequence, 0));
			}

			rateEvents += perStep;
			if (performance.now() - rateStart >= rateSeconds * 1000) {
				clearInterval(timer);
				resolve();
			}
		}, 100);
	});
	sent += rateEvents;
	await (await clients.expect(sent)).reached;
	const rate = (size * rateEvents) / ((performance.now() - rateStart) / 1000);

	const latencies: number[] = [];
	for (let sample = 0; sample < latencySamples; sample++) {
		const {reached} = await clients.expect(sent + 1);
		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
		const started = now();
		target.broadcast(testUpdate(++sequence, 0));
		sent++;
		const reply = await reached;
		latencies.push(reply.at! - started);
	}

	latencies.sort((a, b) => a - b);
	await clients.request({cmd: 'close-all'}, 'closed-all').catch(() => undefined);
	await target.close();
	return {
		burst: burstRate,
		perCpuSecond,
		rate,
		offered: size * perStep * 10,
		latencyP50: latencies[Math.floor(latencies.length / 2)]!,
		latencyMax: latencies.at(-1)!,
		connectMs: connected.ms!,
	};
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const format = (value: number): string => (value >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : `${(value / 1e3).toFixed(0)}k`);

async function main(): Promise<void> {
	console.log(`fan-out bench: ${runs} run(s), subscribers ${sizes.join(' and ')}, Node ${process.version}, load average ${loadavg().map(value => value.toFixed(2)).join(' ')}`);
	const results = new Map<string, Result[]>();
	for (const size of sizes) {
		for (let run = 0; run < runs; run++) {
			// Alternate the order so drift (thermal, page cache) does not favour one side.
			const order: Array<Target['name']> = run % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline'];
			for (const name of order) {
				const clients = new Clients();
				const result = await measure(clients, name, size);
				await clients.request({cmd: 'close'}, 'closed').catch(() => undefined);
				const key = `${name}@${size}`;
				results.set(key, [...(results.get(key) ?? []), result]);
				console.log(
					`  run ${run + 1} ${name.padEnd(8)} N=${String(size).padEnd(5)} burst ${format(result.burst)} deliveries/s (${format(result.perCpuSecond)} per server CPU-second), fixed rate ${format(result.rate)}/s of ${format(result.offered)}/s offered, latency to last receiver p50 ${result.latencyP50.toFixed(1)} ms (max ${result.latencyMax.toFixed(1)}), connect ${result.connectMs.toFixed(0)} ms`,
				);
			}
		}
	}

	console.log(`\nload average at the end ${loadavg().map(value => value.toFixed(2)).join(' ')} (other processes on the box skew absolute numbers; compare the ratios)`);
	console.log('medians                       baseline        ours     ours/baseline');
	for (const size of sizes) {
		const of = (name: string, pick: (result: Result) => number): number => median((results.get(`${name}@${size}`) ?? []).map(pick));
		const row = (label: string, pick: (result: Result) => number, unit: string, higherIsBetter = true): void => {
			const baseline = of('baseline', pick);
			const ours = of('ours', pick);
			const ratio = higherIsBetter ? ours / baseline : baseline / ours;
			const shown = unit === 'ms' ? (value: number) => `${value.toFixed(1)} ms` : (value: number) => `${format(value)}/s`;
			console.log(`  N=${String(size).padEnd(5)} ${label.padEnd(18)} ${shown(baseline).padStart(10)} ${shown(ours).padStart(10)}   ${(ratio * 100).toFixed(0)}%`);
		};

		row('burst deliveries', result => result.burst, '/s');
		row('per CPU-second', result => result.perCpuSecond, '/s');
		row('fixed-rate', result => result.rate, '/s');
		row('latency p50', result => result.latencyP50, 'ms', false);
		row('latency max', result => result.latencyMax, 'ms', false);
	}
}

await main();
