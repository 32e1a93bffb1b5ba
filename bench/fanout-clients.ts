/**
 * The subscriber side of bench/fanout.ts, run as a child process so reading 10,000 sockets
 * does not share an event loop with the server being measured. Raw `net` sockets, no
 * parser: each event ends in a blank line, so events are counted by `\n\n` (the `retry:`
 * hint counts as the first one). Controlled over IPC:
 *   {cmd: 'connect', port, count, localAddress?}  -> {cmd: 'connected', ms}
 *                                     (localAddress: a source address such as 127.0.0.2, past
 *                                     the ~28k ephemeral ports of one source toward one port)
 *   {cmd: 'expect', events}        -> {cmd: 'ready'}, later {cmd: 'reached', at, ms}
 *                                     once every socket has seen `events` events
 *   {cmd: 'close-all'}             -> {cmd: 'closed-all'} (sockets destroyed)
 *   {cmd: 'close'}                 -> {cmd: 'closed'} and exit
 */
import net from 'node:net';
import process from 'node:process';

type Message = {cmd: 'connect'; port: number; count: number; localAddress?: string} | {cmd: 'expect'; events: number} | {cmd: 'close-all'} | {cmd: 'close'};

const now = (): number => performance.timeOrigin + performance.now();
const sockets: net.Socket[] = [];
let counts = new Int32Array(0);
let target = Number.POSITIVE_INFINITY;
let reached = 0;
let expectStarted = 0;
const send = (message: Record<string, unknown>): void => {
	process.send!(message);
};

function onEvents(index: number, events: number): void {
	const before = counts[index]!;
	counts[index] = before + events;
	if (before < target && before + events >= target) {
		reached++;
		if (reached === sockets.length) {
			const at = now();
			send({cmd: 'reached', at, ms: at - expectStarted});
		}
	}
}

function open(port: number, index: number, localAddress: string | undefined): Promise<void> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({host: '127.0.0.1', port, ...(localAddress ? {localAddress} : {})});
		let headerDone = false;
		let lastByte = 0;
		socket.once('connect', () => {
			socket.write('GET /dashboard/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
		});
		socket.on('data', (chunk: Buffer) => {
			let start = 0;
			if (!headerDone) {
				const end = chunk.indexOf('\r\n\r\n');
				if (end === -1) {
					return; // The bench servers send their header in one write.
				}

				headerDone = true;
				start = end + 4;
				resolve();
			}

			let events = lastByte === 10 && chunk[start] === 10 ? 1 : 0;
			let at = chunk.indexOf('\n\n', start);
			while (at !== -1) {
				events++;
				at = chunk.indexOf('\n\n', at + 2);
			}

			lastByte = chunk[chunk.length - 1]!;
			if (events > 0) {
				onEvents(index, events);
			}
		});
		socket.on('error', reject);
		socket.on('close', () => {
			if (!headerDone) {
				reject(new Error('closed before the response header'));
			}
		});
		sockets[index] = socket;
	});
}

process.on('message', (message: Message) => {
	void (async () => {
		if (message.cmd === 'connect') {
			const started = performance.now();
			counts = new Int32Array(message.count);
			target = Number.POSITIVE_INFINITY;
			// Batches, so the listen backlog never overflows (a dropped SYN costs a 1 s retry).
			for (let first = 0; first < message.count; first += 250) {
				const batch: Array<Promise<void>> = [];
				for (let index = first; index < Math.min(message.count, first + 250); index++) {
					batch.push(open(message.port, index, message.localAddress));
				}

				await Promise.all(batch);
			}

			send({cmd: 'connected', ms: performance.now() - started});
		} else if (message.cmd === 'expect') {
			target = message.events;
			expectStarted = now();
			reached = 0;
			for (const count of counts) {
				if (count >= target) {
					reached++;
				}
			}

			send({cmd: 'ready'});
			if (reached === sockets.length) {
				send({cmd: 'reached', at: now(), ms: 0});
			}
		} else {
			for (const socket of sockets) {
				socket.destroy();
			}

			sockets.length = 0;
			if (message.cmd === 'close') {
				send({cmd: 'closed'});
				process.disconnect();
			} else {
				send({cmd: 'closed-all'});
			}
		}
	})().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
});
