import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import type {Socket} from 'node:net';
import {resolveConfig} from '../../source/config.js';
import {runCli} from '../helpers/cli.js';
import {frameHead, upgradeAnswer} from '../helpers/hostile.js';
import {sseHead, startRawServer, type RawServer} from '../helpers/raw-http-server.js';

const MiB = 1024 * 1024;
const part = 'x'.repeat(MiB);

type Summary = {
	errors: {byKind: Record<string, number>};
	buffered: {peakBytes: number; budgetBytes: number; overBudget: number} | null;
};

// Ten clients each given 1 MiB of an event that never ends: 10 MiB in all, each under its own
// 8 MiB cap, over a 4 MiB budget for the run.
const budgetArgs = ['--clients', '10', '--ramp', '0', '--duration', '2s', '--retry', '10s', '--max-buffered', '4MiB', '--json', '--log-level', 'error'];

function checkBudget(summary: Summary): void {
	assert.ok(summary.buffered, 'the summary has a buffered block');
	assert.equal(summary.buffered.budgetBytes, 4 * MiB);
	assert.ok(summary.buffered.overBudget >= 1, `clients failed over the budget: ${summary.buffered.overBudget}`);
	assert.ok((summary.errors.byKind['too-large'] ?? 0) >= summary.buffered.overBudget, JSON.stringify(summary.errors));
	// At most one read (64 KiB) per client past the budget before the largest holders go.
	assert.ok(summary.buffered.peakBytes <= 4 * MiB + 10 * 64 * 1024, `peak ${summary.buffered.peakBytes}`);
	assert.ok(summary.buffered.peakBytes > 2 * MiB, `peak ${summary.buffered.peakBytes}`);
}

describe('the partial events of all clients together stay within --max-buffered', () => {
	const sockets = new Set<Socket>();
	let sse: RawServer;
	let ws: RawServer;
	before(async () => {
		sse = await startRawServer(socket => {
			sockets.add(socket);
			socket.write(`${sseHead}\r\ndata: ${part}`);
		});
		ws = await startRawServer((socket, request) => {
			sockets.add(socket);
			socket.write(upgradeAnswer(request.head));
			socket.write(frameHead(2 * MiB));
			socket.write(part);
		});
	});
	after(async () => {
		await Promise.all([sse.close(), ws.close()]);
	});

	test('SSE: the largest holders fail with too-large, the peak is in the summary', async () => {
		const result = await runCli(['--url', sse.url(), ...budgetArgs]);
		assert.equal(result.code, 0, result.stderr);
		checkBudget(JSON.parse(result.stdout) as Summary);
	});

	test('WebSocket: a frame ws holds until it is whole counts too', async () => {
		const result = await runCli(['--protocol', 'websocket', '--ws-mode', 'raw', '--ping-interval', '0', '--url', ws.url('/ws'), ...budgetArgs]);
		assert.equal(result.code, 0, result.stderr);
		checkBudget(JSON.parse(result.stdout) as Summary);
	});

	test('the text summary says it', async () => {
		const result = await runCli(['--url', sse.url(), ...budgetArgs.filter(arg => arg !== '--json')]);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /Buffered: +peak [\d.]+ MiB of partial events held at once \(budget 4 MiB, --max-buffered\); \d+ clients failed over it \(too-large\)/);
	});
});

test('--max-buffered: a size; unset, the engine sizes it from the clients', () => {
	assert.equal(resolveConfig({}).maxBuffered, undefined);
	assert.equal(resolveConfig({maxBuffered: '64MiB'}).maxBuffered, 64 * MiB);
	assert.throws(() => resolveConfig({maxBuffered: 'lots'}), /^UsageError: --max-buffered must be a size like 65536, 512KiB or 8MiB \(got "lots"\)/);
});
