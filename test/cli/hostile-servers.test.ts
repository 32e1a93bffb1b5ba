import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import type {Socket} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {watchPeakRss} from '../helpers/hostile.js';
import {sseHead, startRawServer, type RawHandler, type RawServer} from '../helpers/raw-http-server.js';

// The load client against servers that misbehave on purpose, each a scripted server of its own
// (README "Reliability: the client"). Every run: the error kind it should give, a backoff that
// grows while attempts fail (read from the client's own `reconnect` lines), memory measured from
// outside, the JSON summary printed, and the documented exit code (1 when no client ever opened).
// Short timeouts and durations keep the file near 10 s: the scenarios run side by side.

const MiB = 1024 * 1024;
const retryMs = 100;
const maxBackoffMs = 5000;
const clients = 2;
/** Generous: an idle sse-tui is ~60-80 MB; the point is that nothing grows with the server's bytes. */
const rssLimit = 300 * MiB;

type Summary = {
	stoppedBy: string;
	clients: {connected: number};
	messages: {total: number};
	errors: {total: number; byKind: Record<string, number>};
	reconnects: number;
	bytes: number;
	connections: {successful: number};
	buffered: {peakBytes: number} | null;
};

type LogLine = {kind: string; client: number; delayMs?: number; error?: string; message?: string; status?: number; data?: string};

type Outcome = {code: number | null; summary: Summary; lines: LogLine[]; peakRss: number; stderr: string};

let folder: string;
const servers: RawServer[] = [];
const sockets = new Set<Socket>();
const peaks: string[] = [];

before(async () => {
	folder = await mkdtemp(path.join(tmpdir(), 'sse-tui-hostile-'));
});

after(async () => {
	for (const socket of sockets) {
		socket.destroy();
	}

	await Promise.all(servers.map(async server => server.close()));
	await rm(folder, {recursive: true, force: true});
	console.log(`# peak RSS of the client: ${peaks.sort().join(', ')}`);
});

async function serve(handler: RawHandler): Promise<RawServer> {
	const server = await startRawServer((socket, request, attempt) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		handler(socket, request, attempt);
	});
	servers.push(server);
	return server;
}

// --timeout 1s where a timeout is the point; elsewhere 5s, so that a loaded machine's slow accept is no error.
async function runAgainst(server: RawServer, name: string, {duration = '3s', timeout = '5s'}: {duration?: string; timeout?: string} = {}): Promise<Outcome> {
	const events = path.join(folder, `${name}.ndjson`);
	let rss: {stop(): number} | undefined;
	const result = await runCli([
		'--url', server.url(), '--clients', String(clients), '--ramp', '0', '--duration', duration,
		'--timeout', timeout, '--retry', `${retryMs}ms`, '--max-backoff', `${maxBackoffMs}ms`,
		'--json', '--events', events, '--log-level', 'error',
	], {
		timeoutMs: 30_000,
		onSpawn(child) {
			rss = watchPeakRss(child.pid!);
		},
	});
	const peakRss = rss!.stop();
	peaks.push(`${name} ${(peakRss / MiB).toFixed(0)} MiB`);
	assert.ok(result.stdout.trim().startsWith('{'), `the summary is printed: ${result.stdout.slice(0, 200)}\n${result.stderr}`);
	const summary = JSON.parse(result.stdout) as Summary;
	const lines = (await readFile(events, 'utf8')).split('\n').filter(Boolean).map(line => JSON.parse(line) as LogLine);
	assert.ok(peakRss > 0 && peakRss < rssLimit, `peak RSS ${(peakRss / MiB).toFixed(0)} MiB`);
	assert.equal(summary.stoppedBy, 'duration');
	return {code: result.code, summary, lines, peakRss, stderr: result.stderr};
}

/** Each client's reconnect delays, in order. */
function delaysOf(lines: LogLine[]): number[][] {
	const byClient = new Map<number, number[]>();
	for (const line of lines) {
		if (line.kind === 'reconnect') {
			byClient.set(line.client, [...byClient.get(line.client) ?? [], line.delayMs!]);
		}
	}

	return [...byClient.values()];
}

/** The k-th delay after k failed attempts in a row lies in [c/2, c], c = min(max, retry * 2^(k-1)). */
function assertGrowingBackoff(lines: LogLine[], atLeast = 2): void {
	const all = delaysOf(lines);
	assert.equal(all.length, clients, 'every client reconnected');
	for (const delays of all) {
		assert.ok(delays.length >= atLeast, `attempts: ${delays.length + 1}`);
		for (const [index, delay] of delays.entries()) {
			const ceiling = Math.min(maxBackoffMs, retryMs * 2 ** index);
			assert.ok(delay >= ceiling / 2 - 1 && delay <= ceiling, `delay ${index + 1} is ${delay}, expected ${ceiling / 2}-${ceiling}: ${delays.join(', ')}`);
		}
	}
}

function assertOnlyErrors(summary: Summary, kind: string): void {
	assert.ok((summary.errors.byKind[kind] ?? 0) >= clients, JSON.stringify(summary.errors));
	assert.equal(summary.errors.total, summary.errors.byKind[kind], JSON.stringify(summary.errors));
}

const neverOpened = /no client ever connected to .*; exit 1/;

// Four at a time: each is a client process, and the scripted servers share this one.
describe('the client against hostile servers', {concurrency: 4}, () => {
	test('accepts and never answers: timeout, growing backoff, exit 1', async () => {
		const server = await serve(() => undefined);
		const {code, summary, lines, stderr} = await runAgainst(server, 'silent', {duration: '4s', timeout: '1s'});
		assertOnlyErrors(summary, 'timeout');
		assert.match(lines.find(line => line.kind === 'error')!.message!, /no response headers within 1000ms/);
		assertGrowingBackoff(lines);
		assert.equal(code, 1);
		assert.match(stderr, neverOpened);
	});

	test('trickles the head a byte a second: timeout all the same, exit 1', async () => {
		const head = `${sseHead}\r\n`;
		const server = await serve(socket => {
			let sent = 0;
			const timer = setInterval(() => {
				if (socket.destroyed || sent >= head.length) {
					clearInterval(timer);
					return;
				}

				socket.write(head[sent++]!);
			}, 1000);
			socket.on('close', () => clearInterval(timer));
			socket.write(head[sent++]!);
		});
		const {code, summary, lines} = await runAgainst(server, 'trickle-head', {duration: '4s', timeout: '1s'});
		assertOnlyErrors(summary, 'timeout');
		assertGrowingBackoff(lines);
		assert.equal(summary.connections.successful, 0);
		assert.equal(code, 1);
	});

	test('trickles the body a byte a second: open, no error, no reconnect; a slow server is data', async () => {
		const body = 'data: 1\n\n';
		const server = await serve(socket => {
			let sent = 0;
			socket.write(`${sseHead}\r\n`);
			const timer = setInterval(() => {
				socket.write(body[sent++ % body.length]!);
			}, 1000);
			socket.on('close', () => clearInterval(timer));
		});
		const {code, summary} = await runAgainst(server, 'trickle-body');
		assert.equal(summary.errors.total, 0, JSON.stringify(summary.errors));
		assert.equal(summary.reconnects, 0);
		assert.equal(summary.clients.connected, clients);
		assert.ok(summary.bytes >= clients, `bytes ${summary.bytes}`);
		assert.equal(code, 0);
	});

	test('a 100 MB line: too-large at --max-event-size, growing backoff, memory bounded', async () => {
		const server = await serve(socket => {
			const piece = 'x'.repeat(MiB);
			let left = 100;
			const pump = () => {
				while (left > 0 && !socket.destroyed) {
					left--;
					if (!socket.write(piece)) {
						socket.once('drain', pump);
						return;
					}
				}
			};

			socket.write(`${sseHead}\r\ndata: `);
			pump();
		});
		const {code, summary, lines} = await runAgainst(server, 'huge-line', {duration: '4s'});
		assertOnlyErrors(summary, 'too-large');
		assert.match(lines.find(line => line.kind === 'error')!.message!, /exceeded maxEventSize/);
		assertGrowingBackoff(lines);
		assert.ok(summary.buffered!.peakBytes <= clients * (8 * MiB + 64 * 1024), `peak ${summary.buffered!.peakBytes}`);
		assert.equal(code, 0);
	});

	test('invalid UTF-8: decoded as U+FFFD, every event counted, no error', async () => {
		const server = await serve(socket => {
			socket.write(sseHead + '\r\n');
			socket.write(Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('z\n\ndata: b'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n\n')]));
		});
		const {code, summary, lines} = await runAgainst(server, 'utf8', {duration: '1s'});
		assert.equal(summary.errors.total, 0, JSON.stringify(summary.errors));
		assert.equal(summary.messages.total, 2 * clients);
		const data = lines.filter(line => line.kind === 'event').map(line => line.data);
		assert.ok(data.includes('a\uFFFD\uFFFD\uFFFDz') && data.includes('b\uFFFD\uFFFD\uFFFD'), JSON.stringify(data));
		assert.equal(code, 0);
	});

	test('random resets (before the head, after it, inside an event): connect and stream errors, growing backoff', async () => {
		let seed = 7;
		const random = () => {
			seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
			return seed / 2_147_483_648;
		};

		const server = await serve(socket => {
			const mode = Math.floor(random() * 3);
			if (mode > 0) {
				socket.write(`${sseHead}\r\n${mode === 2 ? 'data: half an ev' : ''}`);
			}

			setTimeout(() => socket.resetAndDestroy(), 20);
		});
		const {code, summary, lines} = await runAgainst(server, 'resets');
		assert.ok((summary.errors.byKind['connect'] ?? 0) >= 1 && (summary.errors.byKind['stream'] ?? 0) >= 1, JSON.stringify(summary.errors));
		assert.equal(summary.errors.total, (summary.errors.byKind['connect'] ?? 0) + (summary.errors.byKind['stream'] ?? 0));
		assertGrowingBackoff(lines);
		assert.equal(code, 0);
	});

	test('500 forever: status errors naming it, growing backoff, exit 1', async () => {
		const server = await serve(socket => {
			socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!');
		});
		const {code, summary, lines} = await runAgainst(server, 'status-500');
		assertOnlyErrors(summary, 'status');
		assert.equal(lines.find(line => line.kind === 'error')!.status, 500);
		assertGrowingBackoff(lines);
		assert.equal(code, 1);
	});

	test('HTTP/1.0 with no content type: a content-type error, not events; growing backoff, exit 1', async () => {
		const server = await serve(socket => {
			socket.end('HTTP/1.0 200 OK\r\n\r\ndata: not an event stream\n\n');
		});
		const {code, summary, lines} = await runAgainst(server, 'http10');
		assertOnlyErrors(summary, 'content-type');
		assert.match(lines.find(line => line.kind === 'error')!.message!, /expected text\/event-stream, got "no content type"/);
		assert.equal(summary.messages.total, 0);
		assertGrowingBackoff(lines);
		assert.equal(code, 1);
	});

	test('retry: 0 and a close after each event: every event counted, reconnects held to the --min-retry floor', async () => {
		const server = await serve(socket => {
			socket.end(`${sseHead}\r\nretry: 0\ndata: {}\n\n`);
		});
		const {code, summary, lines} = await runAgainst(server, 'retry-0', {duration: '2s'});
		assert.equal(summary.errors.total, 0);
		// Each stream delivered an event: the floor (100 ms), not a growing backoff; 2 s / 100 ms per client at most.
		const delays = delaysOf(lines).flat();
		assert.ok(delays.length > 0 && delays.every(delay => delay === 100), delays.join(', '));
		assert.ok(summary.reconnects <= clients * 21, `reconnects ${summary.reconnects}`);
		assert.ok(summary.messages.total >= summary.reconnects, `messages ${summary.messages.total}`);
		assert.equal(code, 0);
	});

	test('closes right after the head: a clean end each time, no error, but a growing backoff', async () => {
		const server = await serve(socket => {
			socket.end(`${sseHead}\r\n`);
		});
		const {code, summary, lines} = await runAgainst(server, 'close-after-head');
		assert.equal(summary.errors.total, 0, JSON.stringify(summary.errors));
		assert.ok(summary.connections.successful >= clients * 3);
		assertGrowingBackoff(lines);
		// A hot loop at --retry would have made 30 per client in 3 s.
		assert.ok(summary.reconnects <= clients * 8, `reconnects ${summary.reconnects}`);
		assert.equal(code, 0);
	});
});
