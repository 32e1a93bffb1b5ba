/**
 * One client process of bench/sse-hold.ts (forked fresh for every run, with --expose-gc, so
 * memory deltas start from a clean process). On `hold {kind, port, count, idleMs}` it opens
 * `count` SSE streams and replies with connect time, memory before/after (after forced GCs) and
 * CPU while the streams sit idle (from 2 s after the GCs, for `idleMs`).
 *  - ours: sse-tui's engine wired as source/run.ts wires it: resolveConfig -> createClientFactory
 *    (createSseClient per client, each on a socket of its own) -> createPool with a
 *    start interval of 0 (`--ramp 0s`), and a MetricsStore as the sink. "Open" is what the store
 *    says: every client in state `open`.
 *  - raw: `net` sockets that write the GET request and count the bytes they receive, started in
 *    the same bursts of 250 per event-loop turn as the pool; open = response headers received.
 *  - eventsource: the naive baseline a user writes first, a loop of `new EventSource(url)` from
 *    the `eventsource` npm package (on Node's fetch), in the same bursts; open = its `open` event.
 */
import net from 'node:net';
import process from 'node:process';
import {EventSource} from 'eventsource';
import {resolveConfig} from '../../source/config.js';
import {createClientFactory} from '../../source/engine/client-factory.js';
import {createPool} from '../../source/engine/pool.js';
import type {ClientSink} from '../../source/engine/types.js';
import {MetricsStore} from '../../source/metrics/store.js';
import {serveParent} from './children.js';
import {delay} from './report.js';
import {inBursts} from './burst.js';

export type HoldResult = {
	cmd: 'held';
	kind: string;
	count: number;
	opened: number;
	errors: number;
	firstError: string;
	connectMs: number;
	before: {rss: number; heapUsed: number};
	after: {rss: number; heapUsed: number};
	idleCpuPercent: number;
	bytes: number;
};

type Holder = {
	start(): void;
	/** resolves when all are open; rejects on the first error */
	allOpen: Promise<void>;
	errors(): {count: number; first: string};
	bytes(): number;
};

const gc = (globalThis as {gc?: () => void}).gc;

function memory(): {rss: number; heapUsed: number} {
	if (!gc) {
		throw new Error('run the hold client with --expose-gc');
	}

	gc();
	gc();
	const {rss, heapUsed} = process.memoryUsage();
	return {rss, heapUsed};
}

/** Counts opens and errors toward `count`: `allOpen` resolves at the last open, rejects at the first error. */
function openTracker(count: number) {
	let opened = 0;
	let errors = 0;
	let first = '';
	let done: {resolve(): void; reject(error: Error): void} | undefined;
	const allOpen = new Promise<void>((resolve, reject) => {
		done = {resolve, reject};
	});
	return {
		allOpen,
		/** true at the last of `count` opens (the caller may check more before calling `done`) */
		opened: () => ++opened === count,
		resolve: () => done!.resolve(),
		fail(message: string, error: Error) {
			errors++;
			first ||= message;
			done!.reject(error);
		},
		errors: () => ({count: errors, first}),
	};
}

function ours(port: number, count: number): Holder {
	const config = resolveConfig({url: `http://127.0.0.1:${port}/dashboard/stream`, clients: String(count), ramp: '0s', logLevel: 'error'});
	const store = new MetricsStore();
	const tracker = openTracker(count);
	// The same sink shape as run.ts (store first); the counter only says when to read the store.
	const sink: ClientSink = {
		emit(event) {
			store.emit(event);
			if (event.kind === 'open' && tracker.opened()) {
				const {states} = store.snapshot();
				if (states.open === count) {
					tracker.resolve();
				} else {
					tracker.fail(`store shows ${states.open} open`, new Error(`${count} opens seen but the store shows ${states.open} open`));
				}
			} else if (event.kind === 'error') {
				tracker.fail(`${event.error}: ${event.message}`, new Error(`client ${event.client}: ${event.error}: ${event.message}`));
			}
		},
		bytes(client, bytes) {
			store.bytes(client, bytes);
		},
	};
	const factory = createClientFactory(config, sink);
	const pool = createPool({startIntervalMs: config.startIntervalMs, createClient: factory.create});
	return {
		start() {
			pool.add(config.clients);
		},
		allOpen: tracker.allOpen,
		errors: tracker.errors,
		bytes: () => store.snapshot().totals.bytes,
	};
}

function raw(port: number, count: number): Holder {
	const request = Buffer.from(`GET /dashboard/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`);
	const sockets: net.Socket[] = [];
	const tracker = openTracker(count);
	let bytes = 0;

	function connect(): void {
		const socket = net.connect({host: '127.0.0.1', port});
		sockets.push(socket);
		let open = false;
		socket.write(request);
		socket.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
			if (!open && chunk.includes('\r\n\r\n')) {
				open = true;
				if (tracker.opened()) {
					tracker.resolve();
				}
			}
		});
		socket.on('error', error => {
			tracker.fail(error.message, error);
		});
	}

	return {
		start() {
			inBursts(count, connect);
		},
		allOpen: tracker.allOpen,
		errors: tracker.errors,
		bytes: () => bytes,
	};
}

function naive(port: number, count: number): Holder {
	const url = `http://127.0.0.1:${port}/dashboard/stream`;
	const sources: EventSource[] = [];
	const tracker = openTracker(count);
	let bytes = 0;

	function connect(): void {
		const source = new EventSource(url);
		sources.push(source);
		source.addEventListener('open', () => {
			if (tracker.opened()) {
				tracker.resolve();
			}
		});
		source.addEventListener('message', event => {
			bytes += event.data.length;
		});
		source.addEventListener('error', event => {
			tracker.fail(event.message ?? 'error', new Error(`EventSource: ${event.message ?? 'error'}`));
		});
	}

	return {
		start() {
			inBursts(count, connect);
		},
		allOpen: tracker.allOpen,
		errors: tracker.errors,
		bytes: () => bytes,
	};
}

serveParent(async message => {
	if (message.cmd !== 'hold') {
		throw new Error(`unknown command ${message.cmd}`);
	}

	const kind = String(message['kind']);
	const port = Number(message['port']);
	const count = Number(message['count']);
	const idleMs = Number(message['idleMs']);
	const holder = kind === 'ours' ? ours(port, count) : kind === 'eventsource' ? naive(port, count) : raw(port, count);
	const before = memory();
	const started = performance.now();
	holder.start();
	let failure: Error | undefined;
	await Promise.race([
		holder.allOpen,
		delay(120_000).then(() => {
			throw new Error(`not all ${count} streams opened within 120 s`);
		}),
	]).catch((error: unknown) => {
		failure = error as Error;
	});
	const connectMs = performance.now() - started;
	if (failure) {
		throw failure;
	}

	await delay(1000); // Let the connect burst's garbage and timers settle before measuring.
	const after = memory();
	// The forced full GCs leave ~50 ms of concurrent sweeping on V8's helper threads (1 % of a
	// core over the next 5 s with our 10k streams); measured idle cost starts after it.
	await delay(2000);
	const cpuBefore = process.cpuUsage();
	const idleStarted = performance.now();
	await delay(idleMs);
	const cpu = process.cpuUsage(cpuBefore);
	const idleCpuPercent = ((cpu.user + cpu.system) / 1000) / (performance.now() - idleStarted) * 100;
	const {count: errors, first} = holder.errors();
	const result: HoldResult = {cmd: 'held', kind, count, opened: count, errors, firstError: first, connectMs, before, after, idleCpuPercent, bytes: holder.bytes()};
	return result;
});

process.title = 'sse-bench-hold-client';
