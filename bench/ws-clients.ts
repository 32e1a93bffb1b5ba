/**
 * What one ActionCable client costs: 10,000 cable clients (source/engine/cable-client.ts) held
 * from one process against a minimal cable-speaking `ws` server in a child process, against the
 * same number of bare `ws` clients that do the least a cable client can (subscribe, count
 * frames by prefix). Reports RSS and heap per connection, connect time, and messages/s received
 * while the server broadcasts in batches (several frames per socket write, the server side's big
 * lever, see MEASURED.md).
 * Run: `npx tsc -p tsconfig.json && node dist/bench/ws-clients.js`
 * (BENCH_CLIENTS, default 10000; BENCH_BUSY_MS, default 5000; BENCH_BATCH frames per write, default 20;
 * BENCH_IN_FLIGHT messages written but not yet read, default 100000; BENCH_HOLD_MS, how long the
 * clients are held (pinged every 3 s) between the last subscription and the memory reading,
 * default 1000; BENCH_ONLY=cable or bare runs one kind).
 * Each client kind runs in a fresh process, so one kind's freed memory does not flatter the next.
 *
 * How "per connection" is computed, the same way for both kinds: (RSS with N subscribed - RSS of
 * the same process before its first connection) / N, both read at a settled point: after full
 * GCs (the client runs with --expose-gc) until RSS stops falling. That is what the process holds
 * for its connections and live objects, not garbage that happens to be uncollected at that instant.
 * It takes more than the usual two gc() calls because V8 returns the pages a full GC frees to the
 * OS only during the next GC: read right after gc(); gc(), RSS still counted 2-20 MB of pages V8
 * had already freed, depending on how much the ramp had promoted. "before GC" is the same
 * difference read before any forced GC, for reference: it swings with GC timing (garbage piles
 * up in the old space between major GCs). BENCH_HOLD_MS=12000 reads a steady state instead of
 * the moment after the ramp: V8 gives back part of what the ramp left behind within ~10 s.
 * The marginal figure includes fixed costs that grow with the ramp (V8's young generation grows
 * to its 32 MiB maximum in both kinds); "2nd half" ((at N - at N/2) / (N/2)) leaves most of
 * those out.
 */
import {fork, type ChildProcess} from 'node:child_process';
import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {fileURLToPath} from 'node:url';
import {getHeapSpaceStatistics} from 'node:v8';
import WebSocket, {WebSocketServer} from 'ws';
import {cableSubprotocols} from '../source/engine/cable-protocol.js';
import {resolveConfig} from '../source/config.js';
import {createClientFactory} from '../source/engine/client-factory.js';
import type {Client, ClientSink} from '../source/engine/types.js';

const clients = Number(process.env['BENCH_CLIENTS'] ?? 10_000);
const busyMs = Number(process.env['BENCH_BUSY_MS'] ?? 5000);
const batch = Number(process.env['BENCH_BATCH'] ?? 20);
const inFlight = Number(process.env['BENCH_IN_FLIGHT'] ?? 100_000);
const holdMs = Number(process.env['BENCH_HOLD_MS'] ?? 1000);
const self = fileURLToPath(import.meta.url);
const identifier = '{"channel":"DashboardUpdatesChannel"}';

type Kind = 'cable' | 'bare-ws';
type Memory = {
	rssPerConnKiB: number; heapPerConnKiB: number; rssMiB: number; rssSecondHalfKiB: number; rssBeforeGcPerConnKiB: number;
	heapTotalMiB: number; heapUsedMiB: number; newSpaceMiB: number; oldSpaceMiB: number; oldSpaceUsedMiB: number; externalMiB: number;
};
type Result = Memory & {
	kind: Kind; clients: number; ready: number; errors: number; connectMs: number;
	messages: number; messagesPerSec: number; cpuUsPerMessage: number; heartbeats: number;
};
type ToClient = {type: 'measure'; ms: number} | {type: 'exit'};
type FromClient = Memory & {type: 'ready'; ready: number; errors: number; connectMs: number}
	| {type: 'measured'; messages: number; elapsedMs: number; cpuMs: number; heartbeats: number}
	| {type: 'progress'; received: number};
type ToServer = {type: 'busy'; on: boolean} | {type: 'ack'; received: number} | {type: 'exit'};
type FromServer = {type: 'listening'; port: number} | {type: 'busy-done'; sent: number};

const role = process.argv[2];
if (role === 'server') {
	await runServer();
} else if (role === 'client') {
	await runClient(process.argv[3] as Kind, Number(process.argv[4]));
} else {
	await orchestrate();
}

/** The ActionCable server side, minimal: welcome, confirm, a ping every 3 s, batched broadcasts. */
async function runServer(): Promise<void> {
	const subscribers = new Map<Socket, Buffer>();
	const http = createServer((_request, response) => response.writeHead(426).end());
	http.maxConnections = 19_000;
	const wss = new WebSocketServer({noServer: true, perMessageDeflate: false, clientTracking: false, handleProtocols: () => 'actioncable-v1-json'});
	const everyone = new Set<WebSocket>();
	http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
		wss.handleUpgrade(request, socket, head, ws => {
			everyone.add(ws);
			ws.send('{"type":"welcome"}');
			ws.on('message', (data: Buffer) => {
				const command = JSON.parse(data.toString()) as {command: string; identifier: string};
				if (command.command === 'subscribe') {
					subscribers.set(socket, Buffer.from(`{"identifier":${JSON.stringify(command.identifier)},"message":`));
					ws.send(JSON.stringify({identifier: command.identifier, type: 'confirm_subscription'}));
				}
			});
			ws.on('close', () => {
				everyone.delete(ws);
				subscribers.delete(socket);
			});
			ws.on('error', () => undefined);
		});
	});
	// Rails beats every 3 s, one timer for all connections.
	setInterval(() => {
		const ping = `{"type":"ping","message":${Math.floor(Date.now() / 1000)}}`;
		for (const ws of everyone) {
			ws.send(ping);
		}
	}, 3000);

	let busy = false;
	let sent = 0;
	let acked = 0;
	let waiting = false;
	const dashboard = {system_status: {status: 'online', uptime: '2 days, 14 hours', last_check: '15:04:05', message: 'System running normally'}, metrics: {cpu: '45%', memory: '67%', disk: '23%', network: '125 Mbps', response_time: '87ms'}, timestamp: '15:04:05'};
	const tick = () => {
		if (!busy) {
			return;
		}

		// Closed loop: at most `inFlight` messages written but not yet counted by the client, so the
		// kernel's socket buffers (which writableLength does not see) cannot hold a minute of backlog.
		if (sent - acked > inFlight) {
			waiting = true;
			return;
		}

		// Serialise once per tick, frame once per subscription identifier, `batch` frames per write;
		// skip sockets whose kernel buffer is full instead of queueing gigabytes in user space.
		const json = JSON.stringify({...dashboard, sent_at: Date.now()});
		const frames = new Map<Buffer, Buffer>();
		for (const [socket, prefix] of subscribers) {
			if (socket.writableLength > 64 * 1024) {
				continue;
			}

			let frame = frames.get(prefix);
			if (frame === undefined) {
				const one = textFrame(Buffer.concat([prefix, Buffer.from(json), Buffer.from('}')]));
				frame = Buffer.concat(Array.from({length: batch}, () => one));
				frames.set(prefix, frame);
			}

			socket.write(frame);
			sent += batch;
		}

		setImmediate(tick);
	};

	process.on('message', (message: ToServer) => {
		if (message.type === 'busy') {
			busy = message.on;
			if (busy) {
				sent = 0;
				acked = 0;
				tick();
			} else {
				process.send!({type: 'busy-done', sent} satisfies FromServer);
			}
		} else if (message.type === 'ack') {
			acked = message.received;
			if (waiting) {
				waiting = false;
				tick();
			}
		} else {
			process.exit(0);
		}
	});
	await new Promise<void>(resolve => http.listen(0, '127.0.0.1', 2048, resolve));
	process.send!({type: 'listening', port: (http.address() as AddressInfo).port} satisfies FromServer);
}

function textFrame(payload: Buffer): Buffer {
	const length = payload.length;
	const header = length < 126 ? Buffer.from([0x81, length]) : Buffer.from([0x81, 126, length >> 8, length & 0xFF]);
	return Buffer.concat([header, payload]);
}

async function runClient(kind: Kind, port: number): Promise<void> {
	const url = `ws://127.0.0.1:${port}/cable`;
	const counts = {ready: 0, messages: 0, heartbeats: 0, errors: 0};
	const sink: ClientSink = {
		emit(event) {
			switch (event.kind) {
				case 'event': {
					counts.messages++;
					break;
				}

				case 'heartbeat': {
					counts.heartbeats++;
					break;
				}

				case 'confirm': {
					counts.ready++;
					break;
				}

				case 'error': {
					counts.errors++;
					break;
				}

				default: {
					break;
				}
			}
		},
		bytes() {
			// The store's per-client typed arrays are not what this measures.
		},
	};

	const held: Array<Client | WebSocket> = [];
	const broadcastPrefix = `{"identifier":${JSON.stringify(identifier)},"message":`;
	const subscribe = JSON.stringify({command: 'subscribe', identifier});
	const bare = () => {
		const ws = new WebSocket(url, [...cableSubprotocols], {perMessageDeflate: false, origin: 'http://127.0.0.1'});
		ws.on('message', (data: Buffer) => {
			const text = data.toString();
			if (text.startsWith(broadcastPrefix)) {
				counts.messages++;
			} else if (text.startsWith('{"type":"ping"')) {
				counts.heartbeats++;
			} else if (text.startsWith('{"type":"welcome"')) {
				ws.send(subscribe);
			} else if (text.includes('confirm_subscription')) {
				counts.ready++;
			}
		});
		ws.on('error', () => {
			counts.errors++;
		});
		return ws;
	};

	// Clients built exactly as a run builds them: config -> client factory.
	const factory = createClientFactory(resolveConfig({protocol: 'websocket', url, origin: 'http://127.0.0.1', timeout: '30s', retry: '1s', maxEventSize: '1MiB'}), sink);
	const cable = (id: number) => factory.create(id);

	settle();
	const baseline = process.memoryUsage();
	let halfway = 0;
	const started = performance.now();
	// Ramp in steps of 500 so the server's accept backlog never overflows into SYN retries.
	for (let id = 1; id <= clients; id++) {
		if (kind === 'cable') {
			const client = cable(id);
			void client.start();
			held.push(client);
		} else {
			held.push(bare());
		}

		if (id % 500 === 0) {
			// eslint-disable-next-line no-await-in-loop
			await until(() => counts.ready >= id - 500, 60_000);
		}

		if (id === clients / 2) {
			// Halfway, settled: (RSS at N - RSS at N/2) / (N/2) leaves out fixed costs that grow once,
			// such as V8's young generation sizing itself to the allocation rate.
			// eslint-disable-next-line no-await-in-loop
			await until(() => counts.ready >= id, 60_000);
			settle();
			halfway = process.memoryUsage().rss;
		}
	}

	await until(() => counts.ready >= clients, 60_000);
	const connectMs = performance.now() - started;
	await new Promise(resolve => setTimeout(resolve, holdMs));
	const beforeGc = process.memoryUsage.rss();
	settle();
	const loaded = process.memoryUsage();
	const spaces = new Map(getHeapSpaceStatistics().map(space => [space.space_name, space]));
	const mib = (bytes: number) => bytes / 1024 / 1024;
	process.send!({
		type: 'ready', ready: counts.ready, errors: counts.errors, connectMs,
		rssPerConnKiB: (loaded.rss - baseline.rss) / clients / 1024,
		heapPerConnKiB: (loaded.heapUsed - baseline.heapUsed) / clients / 1024,
		rssMiB: mib(loaded.rss),
		rssSecondHalfKiB: (loaded.rss - halfway) / (clients / 2) / 1024,
		rssBeforeGcPerConnKiB: (beforeGc - baseline.rss) / clients / 1024,
		heapTotalMiB: mib(loaded.heapTotal),
		heapUsedMiB: mib(loaded.heapUsed),
		newSpaceMiB: mib(spaces.get('new_space')?.physical_space_size ?? 0),
		oldSpaceMiB: mib(spaces.get('old_space')?.physical_space_size ?? 0),
		oldSpaceUsedMiB: mib(spaces.get('old_space')?.space_used_size ?? 0),
		externalMiB: mib(loaded.external + loaded.arrayBuffers),
	} satisfies FromClient);

	// Tell the server (through the parent) how far we are, for its in-flight limit.
	setInterval(() => {
		process.send!({type: 'progress', received: counts.messages} satisfies FromClient);
	}, 20).unref();

	// The client times its own window: under load, IPC messages from the parent arrive late and
	// bunched, but the client's clock measures exactly the span it counted over.
	process.on('message', async (message: ToClient) => {
		if (message.type === 'measure') {
			const start = {at: performance.now(), messages: counts.messages, heartbeats: counts.heartbeats, cpu: process.cpuUsage()};
			setTimeout(() => {
				const cpu = process.cpuUsage(start.cpu);
				process.send!({
					type: 'measured', messages: counts.messages - start.messages, heartbeats: counts.heartbeats - start.heartbeats,
					elapsedMs: performance.now() - start.at, cpuMs: (cpu.user + cpu.system) / 1000,
				} satisfies FromClient);
			}, message.ms);
		} else {
			await Promise.all(held.map(async client => client instanceof WebSocket ? client.close(1000) : client.stop()));
			process.exit(0);
		}
	});
}

/** Full GCs until RSS stops falling (see the header: V8 unmaps freed pages during the next GC). */
function settle(): void {
	const {gc} = globalThis as {gc?: () => void};
	if (!gc) {
		return;
	}

	let rss = process.memoryUsage.rss();
	for (let round = 1; round <= 8; round++) {
		gc();
		const now = process.memoryUsage.rss();
		if (round >= 2 && now > rss - (256 * 1024)) {
			return;
		}

		rss = now;
	}
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (!predicate()) {
		if (performance.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs}ms`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const onMessage = (message: {type: string}) => {
			if (message.type === type) {
				child.off('message', onMessage);
				child.off('exit', onExit);
				resolve(message as T);
			}
		};

		const onExit = (code: number | null) => {
			reject(new Error(`child exited (${code}) before sending ${type}`));
		};

		child.on('message', onMessage);
		child.once('exit', onExit);
	});
}

async function orchestrate(): Promise<void> {
	const server = fork(self, ['server'], {execArgv: []});
	const {port} = await next<{port: number}>(server, 'listening');
	const results: Result[] = [];
	try {
		for (const kind of (['bare-ws', 'cable'] as const).filter(kind => kind.includes(process.env['BENCH_ONLY'] ?? ''))) {
			process.stderr.write(`${kind}: connecting ${clients} clients…\n`);
			const client = fork(self, ['client', kind, String(port)], {execArgv: ['--expose-gc']});
			try {
				// eslint-disable-next-line no-await-in-loop
				const ready = await next<Extract<FromClient, {type: 'ready'}>>(client, 'ready');
				client.on('message', (message: FromClient) => {
					if (message.type === 'progress') {
						server.send({type: 'ack', received: message.received} satisfies ToServer);
					}
				});
				process.stderr.write(`${kind}: ${ready.ready} subscribed in ${Math.round(ready.connectMs)}ms; broadcasting for ${busyMs}ms…\n`);
				server.send({type: 'busy', on: true} satisfies ToServer);
				// Let the first batches reach the client before the window opens.
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 500));
				client.send({type: 'measure', ms: busyMs} satisfies ToClient);
				// eslint-disable-next-line no-await-in-loop
				const measured = await next<Extract<FromClient, {type: 'measured'}>>(client, 'measured');
				server.send({type: 'busy', on: false} satisfies ToServer);
				// eslint-disable-next-line no-await-in-loop
				const done = await next<Extract<FromServer, {type: 'busy-done'}>>(server, 'busy-done');
				process.stderr.write(`${kind}: the server wrote ${done.sent.toLocaleString('en-US')} messages, the client read ${measured.messages.toLocaleString('en-US')} in its ${Math.round(measured.elapsedMs)}ms window (${measured.heartbeats} pings)\n`);
				const {type: _ready, ...readings} = ready;
				results.push({
					...readings, kind, clients,
					messages: measured.messages, messagesPerSec: measured.messages / (measured.elapsedMs / 1000),
					cpuUsPerMessage: measured.cpuMs * 1000 / Math.max(1, measured.messages), heartbeats: measured.heartbeats,
				});
			} finally {
				client.send({type: 'exit'} satisfies ToClient);
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => client.once('exit', resolve));
			}
		}
	} finally {
		server.send({type: 'exit'} satisfies ToServer);
	}

	const table = results.map(result => ({
		client: result.kind,
		subscribed: `${result.ready}/${result.clients}`,
		'connect s': (result.connectMs / 1000).toFixed(2),
		'RSS/conn KiB': result.rssPerConnKiB.toFixed(2),
		'2nd half': result.rssSecondHalfKiB.toFixed(2),
		'before GC': result.rssBeforeGcPerConnKiB.toFixed(2),
		'heap/conn KiB': result.heapPerConnKiB.toFixed(2),
		'RSS MiB': result.rssMiB.toFixed(0),
		'msgs/s': Math.round(result.messagesPerSec).toLocaleString('en-US'),
		'CPU µs/msg': result.cpuUsPerMessage.toFixed(2),
	}));
	console.table(table);
	// Where the RSS is, in MiB, at the settled point: V8's heap (young generation, old space
	// committed/used), and memory outside it (Buffers and other external allocations).
	console.table(results.map(result => ({
		client: result.kind,
		'heap total': result.heapTotalMiB.toFixed(1),
		'heap used': result.heapUsedMiB.toFixed(1),
		'new space': result.newSpaceMiB.toFixed(1),
		'old space': result.oldSpaceMiB.toFixed(1),
		'old used': result.oldSpaceUsedMiB.toFixed(1),
		'external+buffers': result.externalMiB.toFixed(1),
		'RSS - heap total': (result.rssMiB - result.heapTotalMiB).toFixed(1),
	})));
	const [bare, cable] = results;
	if (bare && cable) {
		console.log(`cable vs bare ws: RSS/conn ×${(cable.rssPerConnKiB / bare.rssPerConnKiB).toFixed(2)} (+${(cable.rssPerConnKiB - bare.rssPerConnKiB).toFixed(2)} KiB), msgs/s ×${(cable.messagesPerSec / bare.messagesPerSec).toFixed(2)}, CPU/msg ×${(cable.cpuUsPerMessage / bare.cpuUsPerMessage).toFixed(2)}; target RSS/conn <= 10 KB: ${cable.rssPerConnKiB * 1.024 <= 10 ? 'met' : 'MISSED'}`);
	}

	if (results.some(result => result.ready < result.clients || result.errors > 0)) {
		process.exitCode = 1;
	}
}
