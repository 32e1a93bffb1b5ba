/**
 * The minimal SSE server the client benchmarks run against, in its own process (forked by
 * bench/sse-hold.ts and bench/sse-ingest.ts). Plain `net`: it reads a request up to its blank
 * line and answers with text/event-stream headers and a close-delimited body, as `sse-tui serve`
 * does (no chunked framing). Commands over IPC:
 *  - listen {heartbeatMs}: a fresh listener on 127.0.0.1, port 0 (a new port per run, so the
 *    previous run's TIME_WAIT sockets never collide with this one's) -> listening {port}
 *  - count -> count {connections}: streams answered and still open
 *  - send {eventsPerConnection, batch, roundMs}: every open stream gets the same numbered events
 *    (`id: N\ndata: <~300 B JSON>\n\n`), `batch` of them per socket write; one write per socket per
 *    round, rounds `roundMs` apart on a fixed clock (0: the next setImmediate), so with batch 1 every event is its
 *    own write and TCP segment (Nagle off). A socket with more than 256 KiB queued in user space
 *    skips rounds until it drains. -> sent {events, writes, bytes, ms}
 *  - close: destroy every socket and the listener -> closed
 */
import net from 'node:net';
import process from 'node:process';
import {dashboardUpdate} from '../../source/payloads.js';
import {serveParent} from './children.js';

const responseHead = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n');
const heartbeat = Buffer.from(': heartbeat\n\n');
const maxQueued = 256 * 1024;

let server: net.Server | undefined;
const streams = new Set<net.Socket>();
const sockets = new Set<net.Socket>();
let heartbeatTimer: NodeJS.Timeout | undefined;

function accept(socket: net.Socket): void {
	socket.setNoDelay(true);
	socket.on('error', () => undefined);
	sockets.add(socket);
	let head = '';
	const onData = (chunk: Buffer) => {
		head += chunk.toString('latin1');
		if (head.includes('\r\n\r\n')) {
			socket.off('data', onData);
			socket.on('data', () => undefined); // Nothing more is expected; keep the socket flowing.
			socket.write(responseHead);
			streams.add(socket);
		} else if (head.length > 64 * 1024) {
			socket.destroy();
		}
	};

	socket.on('data', onData);
	socket.once('close', () => {
		streams.delete(socket);
		sockets.delete(socket);
	});
}

/** The events every stream gets, built once per send: event i is `id: i\ndata: ...\n\n`. */
function buildEvents(count: number): Buffer[] {
	const events: Buffer[] = [];
	const now = new Date();
	for (let index = 1; index <= count; index++) {
		events.push(Buffer.from(`id: ${index}\ndata: ${JSON.stringify(dashboardUpdate(3_600_000 + index, now))}\n\n`));
	}

	return events;
}

async function send(eventsPerConnection: number, batch: number, roundMs: number): Promise<{events: number; writes: number; bytes: number; ms: number}> {
	const events = buildEvents(eventsPerConnection);
	const units: Array<{buffer: Buffer; events: number}> = [];
	for (let index = 0; index < events.length; index += batch) {
		const slice = events.slice(index, index + batch);
		units.push({buffer: slice.length === 1 ? slice[0]! : Buffer.concat(slice), events: slice.length});
	}

	const targets = [...streams];
	const next = new Uint32Array(targets.length);
	let sent = 0;
	let writes = 0;
	let bytes = 0;
	let rounds = 0;
	const started = performance.now();
	await new Promise<void>(resolve => {
		const round = () => {
			let remaining = 0;
			let wrote = 0;
			for (let index = 0; index < targets.length; index++) {
				const socket = targets[index]!;
				const position = next[index]!;
				if (position >= units.length || socket.destroyed) {
					continue;
				}

				remaining++;
				if (socket.writableLength > maxQueued) {
					continue;
				}

				const unit = units[position]!;
				socket.write(unit.buffer);
				next[index] = position + 1;
				sent += unit.events;
				bytes += unit.buffer.length;
				writes++;
				wrote++;
			}

			rounds++;
			if (remaining === 0) {
				resolve();
			} else if (roundMs > 0) {
				// Rounds on a fixed clock, so the offered rate does not drift with the time a round takes.
				setTimeout(round, Math.max(0, started + rounds * roundMs - performance.now()));
			} else if (wrote === 0) {
				setTimeout(round, 1); // Every socket waits for its queue to drain.
			} else {
				setImmediate(round);
			}
		};

		round();
	});

	// Done when everything has left user space for the kernel.
	while (targets.some(socket => !socket.destroyed && socket.writableLength > 0)) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 1);
		});
	}

	return {events: sent, writes, bytes, ms: performance.now() - started};
}

serveParent(async message => {
	switch (message.cmd) {
		case 'listen': {
			const heartbeatMs = Number(message['heartbeatMs'] ?? 30_000);
			server = net.createServer(accept);
			const port = await new Promise<number>((resolve, reject) => {
				server!.once('error', reject);
				server!.listen({host: '127.0.0.1', port: 0, backlog: 4096}, () => {
					resolve((server!.address() as net.AddressInfo).port);
				});
			});
			clearInterval(heartbeatTimer);
			heartbeatTimer = setInterval(() => {
				for (const socket of streams) {
					socket.write(heartbeat);
				}
			}, heartbeatMs);
			return {cmd: 'listening', port};
		}

		case 'count': {
			return {cmd: 'count', connections: streams.size};
		}

		case 'send': {
			const result = await send(Number(message['eventsPerConnection']), Number(message['batch']), Number(message['roundMs'] ?? 0));
			return {cmd: 'sent', ...result};
		}

		case 'close': {
			clearInterval(heartbeatTimer);
			for (const socket of sockets) {
				socket.destroy();
			}

			sockets.clear();
			streams.clear();
			await new Promise(resolve => {
				if (server) {
					server.close(resolve);
					server = undefined;
				} else {
					resolve(undefined);
				}
			});
			return {cmd: 'closed'};
		}

		default: {
			throw new Error(`unknown command ${message.cmd}`);
		}
	}
});

process.title = 'sse-bench-server';
