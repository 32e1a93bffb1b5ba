/**
 * Claim (issue 16): request streams (a POST whose answer streams N events and ends with
 * `data: [DONE]`) cost sse-tui no more per event than the loop a team would write by hand:
 * `fetch` + eventsource-parser, in one Node process.
 * Run: npx tsc -p tsconfig.json && node dist/bench/request-streams.js [--streams 1000] [--events 200]
 *      [--interval 20] [--runs 3]
 *
 * Three processes: `sse-tui serve`'s server (server/server.ts) on 127.0.0.1:0, and one client
 * process per kind and run, each opening --streams concurrent POSTs to /stream/echo (--events
 * events --interval ms apart, then [DONE]) and ending when every stream has seen its [DONE].
 *  - ours: sse-tui's engine as run.ts wires it (config -> client factory -> pool -> metrics
 *    store with the per-stream measurements), --then stop;
 *  - fetch: `fetch()` per stream, the body read through a TextDecoder into eventsource-parser.
 * Per run: events counted (must be streams × (events + 1), or the bench exits 1), client CPU
 * (process.cpuUsage) and wall time from the first request to the last [DONE], events per
 * CPU-second, and memory per stream: the peak RSS and heap (sampled every 50 ms) above what the
 * process held before the first request, over the streams. Kinds alternate their order per run.
 */
import {fork} from 'node:child_process';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {integerOption, median, table} from './lib/report.js';

const streams = integerOption('--streams', 1000);
const events = integerOption('--events', 200);
const intervalMs = integerOption('--interval', 20);
const runs = integerOption('--runs', 3);
const role = process.argv[2];

type Result = {kind: string; events: number; cpuS: number; wallS: number; rssPerStream: number; heapPerStream: number};

function memorySampler(): {stop(): {rss: number; heap: number}} {
	const base = process.memoryUsage();
	let rss = base.rss;
	let heap = base.heapUsed;
	const timer = setInterval(() => {
		const now = process.memoryUsage();
		rss = Math.max(rss, now.rss);
		heap = Math.max(heap, now.heapUsed);
	}, 50);
	return {
		stop() {
			clearInterval(timer);
			return {rss: rss - base.rss, heap: heap - base.heapUsed};
		},
	};
}

type Work = (url: string, body: string) => Promise<number>;

/** Modules are loaded before the clock starts: the bench measures streams, not start-up. */
async function prepareOurs(): Promise<Work> {
	const [{resolveConfig}, {createClientFactory}, {createPool}, {MetricsStore}] = await Promise.all([import('../source/config.js'), import('../source/engine/client-factory.js'), import('../source/engine/pool.js'), import('../source/metrics/store.js')]);
	return async (url, body) => {
		const config = resolveConfig({url, method: 'POST', body, untilData: '[DONE]', then: 'stop', clients: String(streams), ramp: '0', timeout: '120s'}, {});
		const store = new MetricsStore({streams: {renumbered: true}});
		const factory = createClientFactory(config, store);
		await new Promise<void>(resolve => {
			const pool = createPool({createClient: factory.create, startIntervalMs: 0, onAllFinished: resolve});
			pool.add(streams);
		});
		const snapshot = store.snapshot();
		if (snapshot.streams?.completed !== streams) {
			throw new Error(`ours: ${snapshot.streams?.completed} of ${streams} streams completed`);
		}

		return snapshot.totals.messages;
	};
}

async function prepareFetch(): Promise<Work> {
	const {createParser} = await import('eventsource-parser');
	return async (url, body) => {
		let total = 0;
		const one = async () => {
			const response = await fetch(url, {method: 'POST', body, headers: {'content-type': 'application/json', accept: 'text/event-stream'}});
			const decoder = new TextDecoder();
			let done = false;
			const parser = createParser({onEvent(event) {
				total++;
				done ||= event.data === '[DONE]';
			}});
			for await (const chunk of response.body!) {
				parser.feed(decoder.decode(chunk, {stream: true}));
				if (done) {
					break;
				}
			}
	};

	await Promise.all(Array.from({length: streams}, one));
	return total;
	};
}

async function client(kind: string, url: string): Promise<void> {
	const body = JSON.stringify({events, interval: intervalMs});
	const work = kind === 'ours' ? await prepareOurs() : await prepareFetch();
	const memory = memorySampler();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const counted = await work(url, body);
	const wallS = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	const peak = memory.stop();
	const result: Result = {kind, events: counted, cpuS: (used.user + used.system) / 1e6, wallS, rssPerStream: peak.rss / streams, heapPerStream: peak.heap / streams};
	process.send!(result);
	process.exit(0);
}

async function server(): Promise<void> {
	const {startServer} = await import('../server/server.js');
	const running = await startServer({port: 0, host: '127.0.0.1', intervalMs: 0, heartbeatMs: 0, cablePingMs: 0, logLevel: 'error', maxConnections: streams * 2});
	process.send!({url: `${running.url}/stream/echo`});
}

function child<T>(args: string[]): {message: Promise<T>; kill(): void} {
	// The children read the same options (--streams, --events, --interval).
	const process_ = fork(fileURLToPath(import.meta.url), [...args, ...process.argv.slice(2)], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	return {
		message: new Promise<T>((resolve, reject) => {
			process_.once('message', message => resolve(message as T));
			process_.once('exit', code => reject(new Error(`${args[0]} exited ${code} before answering`)));
		}),
		kill: () => process_.kill(),
	};
}

async function main(): Promise<number> {
	const serverChild = child<{url: string}>(['server']);
	const {url} = await serverChild.message;
	const results: Result[] = [];
	try {
		for (let run = 0; run < runs; run++) {
			for (const kind of run % 2 === 0 ? ['ours', 'fetch'] : ['fetch', 'ours']) {
				const result = await child<Result>(['client', kind, url]).message;
				const expected = streams * (events + 1);
				if (result.events !== expected) {
					console.error(`${kind}: counted ${result.events} events, expected ${expected}`);
					return 1;
				}

				results.push(result);
				console.log(`run ${run + 1} ${kind}: ${(result.events / result.cpuS).toFixed(0)} events/CPU-s, ${result.cpuS.toFixed(2)} CPU-s, ${result.wallS.toFixed(2)} s wall, ${(result.rssPerStream / 1024).toFixed(1)} KiB RSS / ${(result.heapPerStream / 1024).toFixed(1)} KiB heap per stream`);
			}
		}
	} finally {
		serverChild.kill();
	}

	const rows = ['ours', 'fetch'].map(kind => {
		const mine = results.filter(result => result.kind === kind);
		const perCpu = mine.map(result => result.events / result.cpuS);
		return {kind, perCpu, rss: mine.map(result => result.rssPerStream / 1024), heap: mine.map(result => result.heapPerStream / 1024)};
	});
	const range = (values: number[], digits = 0) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
	console.log(`\n${streams} concurrent POST streams of ${events} events (${intervalMs} ms apart) + [DONE], ${runs} runs`);
	console.log(table(['client', 'events per CPU-second', 'median', 'RSS per stream (KiB)', 'heap per stream (KiB)'], rows.map(row => [row.kind === 'ours' ? 'sse-tui engine' : 'fetch + eventsource-parser', range(row.perCpu), median(row.perCpu).toFixed(0), range(row.rss, 1), range(row.heap, 1)])));
	const ratio = median(rows[0]!.perCpu) / median(rows[1]!.perCpu);
	console.log(`sse-tui / fetch loop, events per CPU-second (medians): ${(ratio * 100).toFixed(0)} %`);
	return 0;
}

if (role === 'client') {
	await client(process.argv[3]!, process.argv[4]!);
} else if (role === 'server') {
	await server();
} else {
	process.exitCode = await main();
}
