/**
 * Claims: one sse-tui process holds 10,000 concurrent SSE streams at <= 12 KB RSS each (issue 2),
 * 19,000 of them (issue 12: `--clients 19000`), and what that costs against the naive baseline, a
 * loop of `new EventSource` from the `eventsource` npm package (issue 12).
 * Run: npx tsc -p tsconfig.json && node dist/bench/sse-hold.js [--clients 10000] [--runs 3] [--idle-ms 5000]
 *      [--kinds ours,raw,eventsource]
 *
 * A minimal SSE server (bench/lib/sse-server.ts: headers, then a heartbeat comment every 30 s)
 * runs in one child process; every measured run forks a fresh client process (--expose-gc,
 * bench/lib/hold-client.ts) holding either our engine (createClientFactory -> createSseClient,
 * each on its own socket through http-stream.ts, + createPool + MetricsStore, wired as run.ts
 * does, start interval 0) or the raw `net` baseline.
 * Per run: connect time (first start -> all N open), marginal RSS and heap per stream
 * ((after - before) / N, both after forced GCs), and CPU while the N streams sit idle.
 * A warm-up pair, then ours/baseline interleaved; medians printed with ours / baseline.
 */
import process from 'node:process';
import {Child, runBenchmark} from './lib/children.js';
import type {HoldResult} from './lib/hold-client.js';
import {fixed, integerOption, kib, mb, median, table} from './lib/report.js';

const clients = integerOption('--clients', 10_000);
const runs = integerOption('--runs', 3);
const idleMs = integerOption('--idle-ms', 5000);
const targetBytes = 12_000; // "12 KB" in the issue, read strictly.
const fdCeiling = 19_980; // 20,000 open files per process, minus the few a process needs anyway.

if (clients > fdCeiling) {
	console.error(`--clients must be <= ${fdCeiling}: one process may open 20,000 files here, and each stream is one`);
	process.exit(2);
}

const allKinds = ['ours', 'raw', 'eventsource'] as const;
type Kind = typeof allKinds[number];
const label: Record<Kind, string> = {ours: 'ours (engine + store)', raw: 'raw net (baseline)', eventsource: 'eventsource npm (naive)'};
const kindsIndex = process.argv.indexOf('--kinds');
const kinds = (kindsIndex > 0 ? (process.argv[kindsIndex + 1] ?? '').split(',') : [...allKinds]) as Kind[];
if (!kinds.includes('ours') || kinds.some(kind => !allKinds.includes(kind))) {
	console.error(`--kinds takes ours plus any of raw,eventsource (got ${kinds.join(',')})`);
	process.exit(2);
}

type Sample = {connectS: number; rssPerConn: number; heapPerConn: number; idleCpu: number; rssTotal: number};

async function measure(server: Child, kind: Kind, count: number): Promise<Sample> {
	const {port} = await server.request<{cmd: string; port: number}>({cmd: 'listen', heartbeatMs: 30_000}, 'listening');
	const client = new Child(`${kind} hold client`, new URL('lib/hold-client.js', import.meta.url), {execArgv: ['--expose-gc']});
	try {
		const result = await client.request<HoldResult>({cmd: 'hold', kind, port, count, idleMs}, 'held', 180_000);
		const {connections} = await server.request<{cmd: string; connections: number}>({cmd: 'count'}, 'count');
		if (connections !== count || result.errors > 0) {
			throw new Error(`${kind}: the server holds ${connections} streams of ${count}; client errors: ${result.errors} ${result.firstError}`);
		}

		return {
			connectS: result.connectMs / 1000,
			rssPerConn: (result.after.rss - result.before.rss) / count,
			heapPerConn: (result.after.heapUsed - result.before.heapUsed) / count,
			idleCpu: result.idleCpuPercent,
			rssTotal: result.after.rss,
		};
	} finally {
		// A failed run's own error is the one to report, not a cleanup error it caused.
		await client.stop();
		await Promise.allSettled([server.request({cmd: 'close'}, 'closed')]);
	}
}

runBenchmark(async () => {
	const began = performance.now();
	const server = new Child('sse server', new URL('lib/sse-server.js', import.meta.url));
	const warmUp = Math.min(clients, 2000);
	console.error(`sse-hold: ${clients} streams per client process, ${runs} runs each (+ a ${warmUp}-stream warm-up), idle window ${idleMs} ms`);
	for (const kind of kinds) {
		await measure(server, kind, warmUp);
	}

	const samples: Record<Kind, Sample[]> = {ours: [], raw: [], eventsource: []};
	for (let run = 1; run <= runs; run++) {
		// The order turns each run, so no kind always follows the same other one.
		const order = [...kinds.slice(run % kinds.length), ...kinds.slice(0, run % kinds.length)];
		for (const kind of order) {
			const sample = await measure(server, kind, clients);
			samples[kind].push(sample);
			console.error(`  run ${run} ${kind.padEnd(4)}: connect ${fixed(sample.connectS, 2)} s, RSS ${kib(sample.rssPerConn)} KiB/stream, heap ${kib(sample.heapPerConn)} KiB/stream, idle CPU ${fixed(sample.idleCpu, 2)} %`);
		}
	}

	await server.stop();
	const med = (kind: Kind, key: keyof Sample) => median(samples[kind].map(sample => sample[key]));
	const ratio = (key: keyof Sample, baseline: Kind = 'raw') => `${fixed(med('ours', key) / med(baseline, key), 2)}x`;
	const row = (kind: Kind) => [
		label[kind],
		fixed(med(kind, 'connectS'), 2),
		kib(med(kind, 'rssPerConn')),
		kib(med(kind, 'heapPerConn')),
		fixed(med(kind, 'idleCpu'), 2),
		mb(med(kind, 'rssTotal')),
	];
	console.log(`\nsse-hold: ${clients.toLocaleString('en-US')} concurrent SSE streams from one process, medians of ${runs} runs (Node ${process.version}, NODE_ENV=production)\n`);
	console.log(table(
		['client', 'connect all (s)', 'RSS/stream (KiB)', 'heap/stream (KiB)', 'idle CPU (% core)', 'RSS total (MB)'],
		[
			...kinds.map(kind => row(kind)),
			...kinds.filter(kind => kind !== 'ours').map(baseline => [`ours / ${baseline}`, ratio('connectS', baseline), ratio('rssPerConn', baseline), ratio('heapPerConn', baseline), ratio('idleCpu', baseline), ratio('rssTotal', baseline)]),
		],
	));
	const rss = med('ours', 'rssPerConn');
	const met = rss <= targetBytes;
	console.log(`\nRSS per stream: ours ${Math.round(rss)} B (${kib(rss)} KiB); target <= 12 KB (${targetBytes} B): ${met ? 'MET' : 'NOT MET'}`);
	console.log(`total time ${fixed((performance.now() - began) / 1000, 0)} s`);
	return 0;
});
