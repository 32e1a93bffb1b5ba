import net from 'node:net';
import {PassThrough} from 'node:stream';
import {startServer, type RunningServer, type ServerOptions} from '../../server/server.js';

export type TestServer = RunningServer & {logs(): string};

/** A server on 127.0.0.1:0 with every timer off unless a test turns it on; logs kept in memory. */
export async function startTestServer(overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
	const logStream = new PassThrough();
	let logs = '';
	logStream.on('data', (chunk: Buffer) => {
		logs += chunk.toString();
	});
	const server = await startServer({
		port: 0,
		host: '127.0.0.1',
		intervalMs: 0,
		heartbeatMs: 0,
		cablePingMs: 0,
		logLevel: 'warn',
		logStream,
		shutdownGraceMs: 1000,
		...overrides,
	});
	return Object.assign(server, {logs: () => logs});
}

/** Polls `predicate` every 5 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}
}

export type SseEvent = {id?: string; event?: string; data: string; retry?: string};

/**
 * An SSE client on a raw socket, independent of the project's parser: it keeps the exact
 * bytes, and splits the (non-chunked) body on blank lines.
 */
export type RawSse = {
	readonly socket: net.Socket;
	/** Everything received, headers included. */
	text(): string;
	head(): string;
	body(): string;
	events(): SseEvent[];
	comments(): string[];
	closed(): boolean;
	close(): void;
};

export async function openRawSse(url: string, path = '/dashboard/stream', headers: Record<string, string> = {}, {read = true} = {}): Promise<RawSse> {
	const {hostname, port} = new URL(url);
	const socket = net.connect({host: hostname, port: Number(port)});
	let received = '';
	let closed = false;
	socket.setEncoding('utf8');
	if (read) {
		socket.on('data', (chunk: string) => {
			received += chunk;
		});
	}

	socket.on('error', () => {});
	socket.on('close', () => {
		closed = true;
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
	socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n${extra}\r\n`);
	if (!read) {
		socket.pause();
	}

	const body = (): string => {
		const end = received.indexOf('\r\n\r\n');
		return end === -1 ? '' : received.slice(end + 4);
	};

	const blocks = (): string[] => body().split('\n\n').slice(0, -1);
	return {
		socket,
		text: () => received,
		head: () => received.slice(0, Math.max(0, received.indexOf('\r\n\r\n'))),
		body,
		events() {
			const events: SseEvent[] = [];
			for (const block of blocks()) {
				const event: SseEvent = {data: ''};
				const data: string[] = [];
				for (const line of block.split('\n')) {
					const colon = line.indexOf(':');
					if (colon === 0) {
						continue;
					}

					const field = line.slice(0, colon);
					const value = line.slice(colon + 2);
					if (field === 'data') {
						data.push(value);
					} else if (field === 'id' || field === 'event' || field === 'retry') {
						event[field] = value;
					}
				}

				if (data.length > 0) {
					event.data = data.join('\n');
					events.push(event);
				}
			}

			return events;
		},
		comments: () => blocks().filter(block => block.startsWith(':')),
		closed: () => closed,
		close() {
			socket.destroy();
		},
	};
}

/** One plain HTTP exchange on a raw socket; resolves with everything the server sent before closing. */
export async function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 3000): Promise<string> {
	const {hostname, port} = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = net.connect({host: hostname, port: Number(port)}, () => {
			socket.end(bytes);
		});
		let received = '';
		socket.setEncoding('utf8');
		socket.on('data', (chunk: string) => {
			received += chunk;
		});
		socket.on('error', reject);
		socket.on('close', () => {
			clearTimeout(timer);
			resolve(received);
		});
		const timer = setTimeout(() => {
			socket.destroy();
			resolve(received);
		}, timeoutMs);
	});
}
