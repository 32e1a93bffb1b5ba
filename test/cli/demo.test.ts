import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';

type Summary = {target: {url: string; mode: string | null}; clients: {connected: number}; messages: {total: number}; delivery: {ratio: number | null}; broadcast: {ratio: number | null; published: number} | null};

describe('sse-tui demo', () => {
	test('without a terminal: its own server on a free port, 10 clients, updates flowing, the plain summary, a stop by itself', async () => {
		const result = await runCli(['demo', '--duration', '2500ms', '--json'], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.match(summary.target.url, /^http:\/\/127\.0\.0\.1:\d+\/dashboard\/stream$/);
		assert.equal(summary.clients.connected, 10);
		assert.ok(summary.messages.total >= 10 * 3, `messages ${summary.messages.total}`);
		assert.equal(summary.delivery.ratio, 1);
	});

	test('--protocol websocket talks ActionCable to the demo server\'s /cable; --scenario broadcast publishes through its trigger', async () => {
		const cable = await runCli(['demo', '--protocol', 'websocket', '--clients', '3', '--duration', '2s', '--json'], {timeoutMs: 30_000});
		assert.equal(cable.code, 0, cable.stderr);
		const summary = JSON.parse(cable.stdout) as Summary;
		assert.equal(summary.target.mode, 'cable');
		assert.match(summary.target.url, /\/cable$/);
		assert.ok(summary.messages.total > 0);
		const broadcast = await runCli(['demo', '--scenario', 'broadcast', '--clients', '3', '--count', '10', '--rate', '50', '--json'], {timeoutMs: 30_000});
		assert.equal(broadcast.code, 0, broadcast.stderr);
		const b = (JSON.parse(broadcast.stdout) as Summary).broadcast!;
		assert.deepEqual({ratio: b.ratio, published: b.published}, {ratio: 1, published: 10});
	});

	test('the target is the demo\'s own: --url or --port is one line naming the fix, exit 2', async () => {
		const result = await runCli(['demo', '--port', '3001']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /^sse-tui: demo runs against its own bundled server: drop --port/);
	});
});
