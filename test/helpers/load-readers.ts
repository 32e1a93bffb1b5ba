/**
 * A child process holding many SSE readers and some readers that never read, for the
 * load test of `serve` (test/server/load.test.ts) and bench/serve-probe.ts. Commands over IPC:
 *  {cmd: 'open', port, readers, stalled, stalledCable, subscriptions}
 *      readers: SSE streams that read everything and count events;
 *      stalled: SSE streams that send the request and never read a byte;
 *      stalledCable: ActionCable sockets that subscribe `subscriptions` identifiers to the
 *      dashboard channel (each broadcast arrives that many times) and then never read;
 *    replies {cmd: 'opened', open, failed}.
 *  {cmd: 'count'} -> {cmd: 'counts', open, closed, minEvents, maxEvents, stalledClosed}
 */
import net from 'node:net';
import process from 'node:process';
import WebSocket from 'ws';

type Reader = {events: number; closed: boolean};
const readers: Reader[] = [];
const stalled: Array<{closed: boolean}> = [];

async function openReader(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const reader: Reader = {events: 0, closed: false};
		const socket = net.connect({host: '127.0.0.1', port}, () => {
			socket.write('GET /dashboard/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
		});
		let tail = '';
		let headed = false;
		socket.setEncoding('latin1');
		socket.on('data', (chunk: string) => {
			if (!headed) {
				headed = true;
				readers.push(reader);
				resolve(true);
			}

			// Count event ends ("\n\n" after an id line) without keeping the text.
			const text = tail + chunk;
			let at = text.indexOf('\nid: ');
			while (at !== -1) {
				reader.events++;
				at = text.indexOf('\nid: ', at + 5);
			}

			if (text.startsWith('id: ')) {
				reader.events++;
			}

			tail = text.slice(-4);
		});
		socket.on('error', () => {
			resolve(false);
		});
		socket.on('close', () => {
			reader.closed = true;
			resolve(false);
		});
	});
}

async function openStalled(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const entry = {closed: false};
		const socket = net.connect({host: '127.0.0.1', port}, () => {
			socket.write('GET /dashboard/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
			socket.pause(); // Never reads: the kernel's buffers fill, then the server's.
			stalled.push(entry);
			resolve(true);
		});
		socket.on('error', () => {
			resolve(false);
		});
		socket.on('close', () => {
			entry.closed = true;
		});
	});
}

async function openStalledCable(port: number, subscriptions: number): Promise<boolean> {
	return new Promise(resolve => {
		const entry = {closed: false};
		const ws = new WebSocket(`ws://127.0.0.1:${port}/cable`, ['actioncable-v1-json']);
		ws.on('open', () => {
			for (let index = 0; index < subscriptions; index++) {
				ws.send(JSON.stringify({command: 'subscribe', identifier: JSON.stringify({channel: 'DashboardUpdatesChannel', n: index})}));
			}

			let confirmed = 0;
			ws.on('message', data => {
				if (String(data).includes('confirm_subscription') && ++confirmed === subscriptions) {
					(ws as unknown as {_socket: net.Socket})._socket.pause();
					stalled.push(entry);
					resolve(true);
				}
			});
		});
		ws.on('error', () => {
			resolve(false);
		});
		ws.on('close', () => {
			entry.closed = true;
		});
	});
}

async function inBatches(count: number, open: () => Promise<boolean>): Promise<{open: number; failed: number}> {
	let opened = 0;
	let failed = 0;
	for (let start = 0; start < count; start += 250) {
		const results = await Promise.all(Array.from({length: Math.min(250, count - start)}, open));
		opened += results.filter(Boolean).length;
		failed += results.filter(ok => !ok).length;
	}

	return {open: opened, failed};
}

process.on('message', async (message: {cmd: string; port: number; readers: number; stalled: number; stalledCable: number; subscriptions: number}) => {
	if (message.cmd === 'open') {
		const a = await inBatches(message.readers, async () => openReader(message.port));
		const b = await inBatches(message.stalled, async () => openStalled(message.port));
		const c = await inBatches(message.stalledCable, async () => openStalledCable(message.port, message.subscriptions));
		process.send!({cmd: 'opened', open: a.open + b.open + c.open, failed: a.failed + b.failed + c.failed});
		return;
	}

	if (message.cmd === 'count') {
		const events = readers.filter(reader => !reader.closed).map(reader => reader.events);
		process.send!({
			cmd: 'counts',
			open: events.length,
			closed: readers.length - events.length,
			minEvents: events.length === 0 ? 0 : Math.min(...events),
			maxEvents: events.length === 0 ? 0 : Math.max(...events),
			stalledClosed: stalled.filter(entry => entry.closed).length,
			behind: events.filter(count => count < Math.max(...events) - 2).length,
		});
	}
});
process.on('disconnect', () => process.exit(0));
