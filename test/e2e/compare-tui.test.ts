import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {startTestServer, type TestServer} from '../helpers/server-start.js';
import {createTmux, hasTmux} from '../helpers/tmux.js';

/**
 * The side-by-side dashboard of --target in a real terminal (tmux on a socket of its own), at
 * 120 and at 80 columns.
 */
const tmux = createTmux('compare');

/** The panel's rows under its `targets` title, in order. */
const panelLabels = ['open', 'msgs/s', 'latency p50', 'latency p99', 'fan-out p99', 'delivery', 'errors', 'reconnects', 'heartbeats'];

/** The panel as drawn: the title line and the metric lines right under it, none wrapped. */
function panel(text: string): string[] {
	const lines = text.split('\n');
	const start = lines.findIndex(line => line.startsWith('targets '));
	assert.ok(start >= 0, `no panel on the screen:\n${text}`);
	return lines.slice(start, start + 1 + panelLabels.length);
}

const messagesOf = (line: string) => line.split(/\s{2,}/).slice(1).map(cell => Number.parseFloat(cell));

describe('the --target dashboard in a real terminal', {skip: hasTmux ? false : 'tmux is not installed'}, () => {
	let server: TestServer;
	let args: string[] = [];
	before(async () => {
		// An update to every client every 100 ms, an SSE heartbeat and a /ws ping every 500 ms.
		server = await startTestServer({intervalMs: 100, heartbeatMs: 500});
		args = ['--target', `sse=${server.url}/dashboard/stream`, '--target', `raw=${server.url.replace('http', 'ws')}/ws,ws-mode=raw`, '--clients', '3', '--duration', '60s'];
	});
	after(async () => {
		tmux.close();
		await server.close();
	});

	test('120 columns: both targets\' columns with every metric; t filters the client table by target; q prints the comparison', async () => {
		const tty = tmux.terminal(args, {columns: 120, rows: 30});
		const text = await tty.until(text => /^open +3 +3\s*$/m.test(text) && /^msgs\/s +[1-9]/m.test(text), 'both targets open with messages');
		const lines = panel(text);
		assert.match(lines[0]!, /^targets +sse +raw\s*$/);
		assert.deepEqual(lines.slice(1).map(line => panelLabels.find(label => line.startsWith(`${label} `))), panelLabels);
		// Column starts: the label is 12 wide, each target's column 28 + 1 at 120 columns.
		assert.equal(lines[0]!.indexOf('sse'), 12);
		assert.equal(lines[0]!.indexOf('raw'), 41);
		assert.ok(messagesOf(lines[2]!).every(rate => rate > 0), lines[2]);
		assert.match(text, /· 2 targets · .*sse=http:\/\/127\.0\.0\.1:\d+\/dashboard\/stream {2}raw=ws:\/\/127\.0\.0\.1:\d+\/ws/);
		assert.match(text, /clients 6 \(asked 6\)/);
		assert.match(text, /rows 1-6 of 6 · t target all ·/);

		tty.keys('t');
		const filtered = await tty.until(text => /t target sse ·/.test(text), 'the table filtered to sse');
		assert.match(filtered, /rows 1-3 of 3 · t target sse ·/);
		assert.match(panel(filtered)[0]!, /^targets +>sse +raw/);
		const ids = filtered.split('\n').map(line => /^ +(\d+) (open|connecting)/.exec(line)?.[1]).filter(Boolean);
		assert.deepEqual(ids, ['1', '3', '5'], 'the sse clients: odd whole-run ids');
		tty.keys('t');
		await tty.until(text => /rows 1-3 of 3 · t target raw ·/.test(text), 'the table filtered to raw');
		tty.keys('t');
		await tty.until(text => /rows 1-6 of 6 · t target all ·/.test(text), 'all again');

		tty.keys('q');
		const end = await tty.until(text => /EXIT=\d+/.test(text), 'the process to exit');
		assert.match(end, /EXIT=0/);
		assert.match(end, /^Comparison: +2 targets, each with 3 clients/m);
	});

	test('80 columns: still one column per target, no line wrapped or cut inside a value', async () => {
		const tty = tmux.terminal(args, {columns: 80, rows: 30});
		const text = await tty.until(text => /^open +3 +3\s*$/m.test(text) && /^msgs\/s +[1-9]/m.test(text), 'both targets open with messages');
		const lines = panel(text);
		assert.match(lines[0]!, /^targets +sse +raw\s*$/);
		assert.deepEqual(lines.slice(1).map(line => panelLabels.find(label => line.startsWith(`${label} `))), panelLabels);
		for (const line of text.split('\n')) {
			assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
		}

		// Every value whole: a number with its unit, the mark and the ratio, or n/a.
		for (const line of lines.slice(1)) {
			for (const value of line.slice(12).split(/ {2,}/).filter(Boolean)) {
				assert.match(value, /^(n\/a|\d+(\.\d+)?(ms|s|%|\/s)?\*?( \(\d+(\.\d+)?x\))?)$/, `"${value}" in: ${line}`);
			}
		}

		tty.keys('?');
		const help = await tty.until(text => /keys/.test(text) && /t +--target: show/.test(text), 'the help with t');
		assert.match(help, /t +--target: show all clients \/ one target's in turn/);
		tty.keys('q');
		await tty.until(text => /EXIT=0/.test(text), 'the process to exit 0');
	});
});
