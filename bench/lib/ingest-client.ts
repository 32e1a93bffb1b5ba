/**
 * One client process of bench/sse-ingest.ts, kept for the whole benchmark (so the warm-up warms
 * it) and driven over IPC:
 *  - connect {port, count} -> connected {ms}: `count` streams open
 *  - arm {expected} -> armed: CPU time and wall clock start now; when `expected` events have
 *    arrived it stops both, waits 200 ms for strays, and sends done {events, cpuUs, wallMs, reads}
 *    With `profile: FILE`, the V8 CPU profiler runs for exactly that window (--cpu-prof would
 *    also record connecting and closing) and its profile is written to FILE.
 *  - disconnect -> disconnected
 * Kinds (argv[2]):
 *  - ours: sse-tui's engine wired as source/run.ts wires it (resolveConfig -> createClientFactory ->
 *    createPool, start interval 0, MetricsStore as the sink); events = the store's message total.
 *  - noacct: the same with the store's delivery accounting off (sequence numbers not read), to
 *    measure what the accounting costs.
 *  - raw: the "raw-socket counting client": `net` sockets that write the GET request and
 *    count "\n\n" in the bytes after the response headers (Buffer.indexOf, no decoding).
 *  - undici: the same count on undici's read path: one Agent, dispatch() per stream with a
 *    handler whose onResponseData counts "\n\n" (socket -> llhttp -> handler, no parsing): the
 *    most any client built on undici could reach.
 */
import {writeFile} from 'node:fs/promises';
import {Session as InspectorSession} from 'node:inspector/promises';
import net from 'node:net';
import process from 'node:process';
import {Agent, type Dispatcher} from 'undici';
import {resolveConfig} from '../../source/config.js';
import {createClientFactory} from '../../source/engine/client-factory.js';
import {createPool, type Pool} from '../../source/engine/pool.js';
import type {ClientSink} from '../../source/engine/types.js';
import {MetricsStore} from '../../source/metrics/store.js';
import {serveParent} from './children.js';
import {delay} from './report.js';
import {inBursts} from './burst.js';

type Session = {
	/** events counted so far (ours: the store's total) */
	events(): number;
	reads(): number;
	close(): Promise<void>;
};

const kinds = ['ours', 'noacct', 'raw', 'undici'] as const;
const kind = kinds.find(name => name === process.argv[2]) ?? 'ours';

let expected = Number.POSITIVE_INFINITY;
let onExpected: (() => void) | undefined;
let session: Session | undefined;

/** Called by the counting code of either kind with its running total. */
function check(events: number): void {
	if (events === expected) {
		expected = Number.POSITIVE_INFINITY;
		onExpected?.();
	}
}

async function connectOurs(port: number, count: number, accounting = true): Promise<Session> {
	const config = resolveConfig({url: `http://127.0.0.1:${port}/dashboard/stream`, clients: String(count), ramp: '0s', logLevel: 'error'});
	const store = new MetricsStore({enabled: accounting});
	let messages = 0;
	let reads = 0;
	let opened = 0;
	let failure: Error | undefined;
	let allOpen!: {resolve(): void; reject(error: Error): void};
	const opening = new Promise<void>((resolve, reject) => {
		allOpen = {resolve, reject};
	});
	// The same sink shape as run.ts (store first); the counter only says when to read the store.
	const sink: ClientSink = {
		emit(event) {
			store.emit(event);
			if (event.kind === 'event') {
				check(++messages);
			} else if (event.kind === 'open') {
				if (++opened === count) {
					allOpen.resolve();
				}
			} else if (event.kind === 'error') {
				failure ??= new Error(`client ${event.client}: ${event.error}: ${event.message}`);
				allOpen.reject(failure);
			}
		},
		bytes(client, bytes) {
			reads++;
			store.bytes(client, bytes);
		},
	};
	const factory = createClientFactory(config, sink);
	const pool: Pool = createPool({startIntervalMs: config.startIntervalMs, createClient: factory.create});
	pool.add(config.clients);
	await opening;
	if (store.snapshot().states.open !== count) {
		throw new Error(`${count} opens seen but the store shows ${store.snapshot().states.open} open`);
	}

	return {
		events: () => store.snapshot().totals.messages,
		reads: () => reads,
		async close() {
			await pool.stop();
			await factory.close();
			if (failure) {
				throw failure;
			}
		},
	};
}

const lflf = Buffer.from('\n\n');

async function connectRaw(port: number, count: number): Promise<Session> {
	const request = Buffer.from(`GET /dashboard/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`);
	const sockets: net.Socket[] = [];
	let events = 0;
	let reads = 0;
	let opened = 0;
	await new Promise<void>((resolve, reject) => {
		const connect = () => {
			const socket = net.connect({host: '127.0.0.1', port});
			sockets.push(socket);
			let open = false;
			let endsInLf = false;
			socket.write(request);
			socket.on('data', (chunk: Buffer) => {
				reads++;
				let position = 0;
				if (!open) {
					const headEnd = chunk.indexOf('\r\n\r\n');
					if (headEnd === -1) {
						return; // Headers arrive in one read here; a split head just waits.
					}

					open = true;
					position = headEnd + 4;
					if (++opened === count) {
						resolve();
					}
				} else if (endsInLf && chunk[0] === 10) {
					events++;
					position = 1;
				}

				let found = chunk.indexOf(lflf, position);
				while (found !== -1) {
					events++;
					found = chunk.indexOf(lflf, found + 2);
				}

				endsInLf = chunk.at(-1) === 10;
				check(events);
			});
			socket.on('error', reject);
		};

		inBursts(count, connect);
	});
	return {
		events: () => events,
		reads: () => reads,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}
		},
	};
}

/** Counts "\n\n" in chunks of one stream, including a pair split across two chunks. */
class LfLfCounter {
	endsInLf = false;

	count(chunk: Buffer, start: number): number {
		let events = 0;
		let position = start;
		if (this.endsInLf && chunk[position] === 10) {
			events++;
			position++;
		}

		let found = chunk.indexOf(lflf, position);
		while (found !== -1) {
			events++;
			found = chunk.indexOf(lflf, found + 2);
		}

		this.endsInLf = chunk.at(-1) === 10;
		return events;
	}
}

async function connectUndici(port: number, count: number): Promise<Session> {
	// As the engine's undici Agent was configured: one socket per stream, no timeouts on a quiet body.
	const agent = new Agent({connections: null, pipelining: 1, headersTimeout: 0, bodyTimeout: 0});
	const controllers: Dispatcher.DispatchController[] = [];
	let events = 0;
	let reads = 0;
	let opened = 0;
	await new Promise<void>((resolve, reject) => {
		const connect = () => {
			const counter = new LfLfCounter();
			const handler: Dispatcher.DispatchHandler = {
				onRequestStart(controller) {
					controllers.push(controller);
				},
				onResponseStart(_controller, statusCode) {
					if (statusCode !== 200) {
						reject(new Error(`HTTP ${statusCode}`));
					} else if (++opened === count) {
						resolve();
					}
				},
				onResponseData(_controller, chunk: Buffer) {
					reads++;
					events += counter.count(chunk, 0);
					check(events);
				},
				onResponseEnd() {
					// The benchmark closes the streams itself.
				},
				onResponseError(_controller, error) {
					reject(error);
				},
			};
			agent.dispatch({origin: `http://127.0.0.1:${port}`, path: '/dashboard/stream', method: 'GET', headers: {accept: 'text/event-stream', 'cache-control': 'no-cache'}}, handler);
		};

		inBursts(count, connect);
	});
	return {
		events: () => events,
		reads: () => reads,
		async close() {
			for (const controller of controllers) {
				controller.abort(new Error('benchmark over'));
			}

			await agent.destroy().catch(() => undefined);
		},
	};
}

serveParent(async message => {
	switch (message.cmd) {
		case 'connect': {
			const started = performance.now();
			const connect = {ours: connectOurs, noacct: async (port: number, count: number) => connectOurs(port, count, false), raw: connectRaw, undici: connectUndici}[kind];
			session = await connect(Number(message['port']), Number(message['count']));
			return {cmd: 'connected', ms: performance.now() - started};
		}

		case 'arm': {
			const current = session!;
			const baseEvents = current.events();
			const baseReads = current.reads();
			const target = baseEvents + Number(message['expected']);
			const profile = typeof message['profile'] === 'string' ? message['profile'] : undefined;
			const inspector = profile === undefined ? undefined : new InspectorSession();
			if (inspector) {
				inspector.connect();
				await inspector.post('Profiler.enable');
				await inspector.post('Profiler.start');
			}

			const cpu = process.cpuUsage();
			const started = performance.now();
			onExpected = () => {
				const wallMs = performance.now() - started;
				const used = process.cpuUsage(cpu);
				const reads = current.reads() - baseReads;
				onExpected = undefined;
				const profiled = inspector?.post('Profiler.stop').then(async ({profile: data}) => {
					inspector.disconnect();
					await writeFile(profile!, JSON.stringify(data));
				});
				// Strays after the expected total would show up here, and fail the exactness check.
				void Promise.all([delay(200), profiled]).then(() => {
					process.send!({cmd: 'done', events: current.events() - baseEvents, cpuUs: used.user + used.system, userUs: used.user, wallMs, reads});
				});
			};

			expected = target;

			return {cmd: 'armed'};
		}

		case 'disconnect': {
			await session?.close();
			session = undefined;
			return {cmd: 'disconnected'};
		}

		default: {
			throw new Error(`unknown command ${message.cmd}`);
		}
	}
});

process.title = `sse-bench-ingest-${kind}`;
