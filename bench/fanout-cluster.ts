/**
 * Claims: with `serve --workers 2` the time from broadcast() to the last of 10,000 SSE receivers
 * is below a single-process bare node:net fan-out (bench/fanout-baseline.ts), measured in the
 * same run; and `serve --workers N` holds 40,000 streams on this 2-core box.
 * Run: node dist/bench/fanout-cluster.js [--quick] [--runs 3] [--size 10000] [--receivers 1] [--hold 40000:3] [--no-hold] [--no-latency]
 *
 * This process hosts the server under test: the bare baseline, `serve` as one process, or the
 * primary of `serve --workers 2` (startCluster), whose two workers are forked from here. The
 * subscribers live in client processes (bench/fanout-clients.ts; `--receivers K` splits them over K). Latency: one broadcast on an
 * idle server, from broadcast() to the LAST subscriber receiving it (all processes read the same
 * clock); medians of the per-run medians. Hold: `count` raw SSE streams in three client
 * processes (each under the 20,000 open-files limit, each from its own source address, past the
 * ~28k ephemeral ports one address has toward one port), then 5 s idle: connect time, server
 * RSS (primary + workers) and idle CPU.
 */
import {loadavg} from 'node:os';
import process from 'node:process';
import {startCluster} from '../server/cluster.js';
import {startServer} from '../server/server.js';
import {testUpdate} from '../source/payloads.js';
import {startBaseline} from './fanout-baseline.js';
import {Child} from './lib/children.js';
import {cpuSeconds, rssBytes} from './lib/proc.js';

type Name = 'baseline' | 'serve' | 'workers2';
type Target = {port: number; broadcast(message: unknown): unknown; close(): Promise<void>; pids(): number[]};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: string): string => {
	const index = args.indexOf(name);
	return index === -1 ? fallback : (args[index + 1] ?? fallback);
};

const runs = Number(option('--runs', quick ? '1' : '3'));
const size = Number(option('--size', '10000'));
const samples = quick ? 10 : 25;
const receivers = Number(option('--receivers', '1'));
const holds = args.includes('--no-hold')
	? []
	: option('--hold', '40000:3')
			.split(',')
			.map(spec => spec.split(':').map(Number) as [number, number]);
const now = (): number => performance.timeOrigin + performance.now();
const clientsScript = new URL('fanout-clients.js', import.meta.url);
const serverOptions = {port: 0, intervalMs: 0, heartbeatMs: 0, cablePingMs: 0, logLevel: 'error' as const};

async function startTarget(name: Name, connections: number, workers = 2): Promise<Target> {
	if (name === 'baseline') {
		return {...(await startBaseline()), pids: () => [process.pid]};
	}

	if (name === 'serve') {
		const server = await startServer({...serverOptions, maxConnections: connections + 100});
		return {port: server.port, broadcast: message => server.broadcast(message), close: () => server.close(), pids: () => [process.pid]};
	}

	// Twice the streams: each worker gets half of the cap, and round-robin under a connect burst is not exactly even.
	const cluster = await startCluster({...serverOptions, maxConnections: connections * 2}, workers);
	return {port: cluster.port, broadcast: async message => cluster.broadcast(message), close: () => cluster.close(), pids: () => [process.pid, ...cluster.pids()]};
}

async function latency(name: Name): Promise<{p50: number; max: number; connectMs: number; serverCpuMs: number; receiverCpuMs: number}> {
	const target = await startTarget(name, size);
	const parts = Array.from({length: receivers}, (_, index) => Math.floor(size / receivers) + (index < size % receivers ? 1 : 0));
	const clients = parts.map((_, index) => new Child(`clients ${index + 1}`, clientsScript));
	try {
		const started = performance.now();
		await Promise.all(clients.map(async (child, index) => child.request({cmd: 'connect', port: target.port, count: parts[index]}, 'connected', 120_000)));
		const connectMs = performance.now() - started;
		let sent = 1; // The retry hint counts as the first event.
		const times: number[] = [];
		const receiverPids = clients.map(child => child.process.pid!);
		const cpuOf = (pids: number[]): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) * 1000;
		let serverCpu = 0;
		let receiverCpu = 0;
		for (let sample = 0; sample < samples + 2; sample++) {
			if (sample === 2) {
				// CPU from here on (the first two warm up): the server's processes and the receivers'.
				serverCpu = -cpuOf(target.pids());
				receiverCpu = -cpuOf(receiverPids);
			}

			const reached = clients.map(child => child.next('reached', 30_000));
			await Promise.all(clients.map(async child => child.request({cmd: 'expect', events: sent + 1}, 'ready')));
			await new Promise(resolve => {
				setTimeout(resolve, 20);
			});
			const sentAt = now();
			void target.broadcast(testUpdate(sample + 1, 0));
			sent++;
			const last = Math.max(...(await Promise.all(reached)).map(reply => reply['at'] as number));
			if (sample >= 2) {
				times.push(last - sentAt); // The first two warm up.
			}
		}

		serverCpu += cpuOf(target.pids());
		receiverCpu += cpuOf(receiverPids);
		times.sort((a, b) => a - b);
		return {p50: times[Math.floor(times.length / 2)]!, max: times.at(-1)!, connectMs, serverCpuMs: serverCpu / samples, receiverCpuMs: receiverCpu / samples};
	} finally {
		await Promise.all(clients.map(async child => child.request({cmd: 'close'}, 'closed').catch(() => undefined)));
		await target.close();
	}
}

/** Resident memory and CPU time (user + system, ms) of a process, from /proc. */
function usage(pid: number): {rss: number; cpuMs: number} {
	return {rss: rssBytes(pid), cpuMs: cpuSeconds(pid) * 1000};
}

async function hold(count: number, workers: number): Promise<string> {
	const target = await startTarget('workers2', count, workers);
	const pids = target.pids();
	const rssBefore = pids.reduce((sum, pid) => sum + usage(pid).rss, 0);
	const parts = [0, 1, 2].map(index => Math.floor(count / 3) + (index < count % 3 ? 1 : 0));
	const clients = parts.map((_, index) => new Child(`holder ${index + 1}`, clientsScript));
	try {
		const started = performance.now();
		await Promise.all(clients.map(async (child, index) => child.request({cmd: 'connect', port: target.port, count: parts[index], localAddress: `127.0.0.${index + 1}`}, 'connected', 300_000)));
		const connectMs = performance.now() - started;
		await new Promise(resolve => {
			setTimeout(resolve, 2000);
		});
		const before = pids.map(usage);
		await new Promise(resolve => {
			setTimeout(resolve, 5000);
		});
		const after = pids.map(usage);
		const rss = after.reduce((sum, {rss}) => sum + rss, 0);
		const cpuPercent = (after.reduce((sum, {cpuMs}) => sum + cpuMs, 0) - before.reduce((sum, {cpuMs}) => sum + cpuMs, 0)) / 50;
		// One broadcast to all of them, to show they are live, not just open.
		const reached = clients.map(child => child.next('reached', 60_000));
		await Promise.all(clients.map(async child => child.request({cmd: 'expect', events: 2}, 'ready')));
		const sentAt = now();
		void target.broadcast(testUpdate(1, 0));
		const last = Math.max(...(await Promise.all(reached)).map(reply => reply['at'] as number)) - sentAt;
		return `  serve --workers ${workers}: ${count} streams held (3 client processes), connect ${(connectMs / 1000).toFixed(1)} s, server RSS ${(rss / 2 ** 20).toFixed(0)} MiB (${((rss - rssBefore) / count / 1024).toFixed(1)} KiB per stream, primary + workers), idle CPU ${cpuPercent.toFixed(1)} % of a core, one broadcast to all in ${last.toFixed(0)} ms`;
	} finally {
		await Promise.all(clients.map(async child => child.request({cmd: 'close'}, 'closed').catch(() => undefined)));
		await target.close();
	}
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
	console.log(`cluster fan-out bench: ${runs} run(s), ${size} subscribers, ${samples} broadcasts per run, Node ${process.version}, load average ${loadavg().map(value => value.toFixed(2)).join(' ')}`);
	const results = new Map<Name, Array<{p50: number; max: number}>>();
	const names: Name[] = ['baseline', 'serve', 'workers2'];
	for (let run = 0; run < (args.includes('--no-latency') ? 0 : runs); run++) {
		// Turn the order each run so drift does not favour one side.
		const order = names.map((_, index) => names[(index + run) % names.length]!);
		for (const name of order) {
			const result = await latency(name);
			results.set(name, [...(results.get(name) ?? []), result]);
			console.log(`  run ${run + 1} ${name.padEnd(8)} N=${size} latency to last receiver p50 ${result.p50.toFixed(1)} ms (max ${result.max.toFixed(1)}), connect ${result.connectMs.toFixed(0)} ms; CPU per broadcast: server ${result.serverCpuMs.toFixed(0)} ms, receivers ${result.receiverCpuMs.toFixed(0)} ms (on 2 cores no schedule ends before half their sum, ${((result.serverCpuMs + result.receiverCpuMs) / 2).toFixed(0)} ms)`);
		}
	}

	const baseline = median(results.get('baseline')?.map(result => result.p50) ?? [Number.NaN]);
	console.log(results.size === 0 ? '' : '\nmedians of the runs (time from broadcast() to the last receiver, p50 of each run)');
	for (const name of results.size === 0 ? [] : names) {
		const p50 = median(results.get(name)?.map(result => result.p50) ?? [Number.NaN]);
		const label = {baseline: 'bare node:net, 1 process', serve: 'serve, 1 process', workers2: 'serve --workers 2'}[name];
		console.log(`  ${label.padEnd(26)} ${p50.toFixed(1).padStart(7)} ms   ${((p50 / baseline) * 100).toFixed(0)}% of the baseline's time`);
	}

	for (const [count, workers] of holds) {
		console.log(await hold(count!, workers!));
	}

	console.log(`load average at the end ${loadavg().map(value => value.toFixed(2)).join(' ')}`);
}

await main();
