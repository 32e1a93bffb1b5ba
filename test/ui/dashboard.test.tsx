import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {Dashboard, layout} from '../../source/ui/dashboard/dashboard.js';
import {LogBuffer} from '../../source/ui/log-buffer.js';
import {emptyDelivery, type ClientRow, type Snapshot} from '../../source/metrics/snapshot.js';
import {createControls, createInfo, createRows, createSnapshot, createSource, keys, lines, press} from './factories.js';

type Options = {rows?: ClientRow[]; snapshot?: Snapshot; width?: number; height?: number; log?: LogBuffer; color?: boolean};

function mount({rows = createRows(3), snapshot = createSnapshot({clients: rows.length}), width = 100, height = 30, log, color = false}: Options = {}) {
	const source = createSource(snapshot, rows);
	const controls = createControls(rows.length);
	const app = render(<Dashboard source={source} info={createInfo()} controls={controls} version="9.9.9" log={log} color={color} width={width} height={height}/>);
	const frame = () => lines(app.lastFrame());
	/** the id column of the table rows, in order */
	const ids = () => {
		const all = frame();
		const head = all.findIndex(line => /^\s+id/.test(line));
		const out: number[] = [];
		for (const line of all.slice(head + 1)) {
			const match = /^\s*(\d+) /.exec(line);
			if (!match) {
				break;
			}

			out.push(Number(match[1]));
		}

		return out;
	};

	return {...app, source, controls, frame, ids};
}

afterEach(() => {
	cleanup();
});

describe('dashboard frame', () => {
	test('header shows the target, protocol, scenario, time left and clients asked', () => {
		const {frame} = mount();
		assert.match(frame()[0]!, /sse-tui 9\.9\.9 · SSE · scenario load · http:\/\/localhost:3000\/dashboard\/stream/);
		assert.match(frame()[1]!, /elapsed 10s \/ remaining 50s · clients 3 \(asked 20\)/);
	});

	test('totals show state counts, counters, rates, the sparkline and percentiles', () => {
		const snapshot = createSnapshot({
			clients: 5,
			states: {open: 3, connecting: 1, failed: 1},
			totals: {messages: 1234, heartbeats: 56, errors: 2, reconnects: 1, bytes: 4096},
			rates: {messagesPerSec: 12.5, heartbeatsPerSec: 1},
			history: [0, 5, 10],
			connectMs: {count: 3, min: 1, mean: 2, p50: 2.5, p90: 3, p99: 9.25, p999: 10, max: 10},
			latencyMs: {count: 3, min: 1, mean: 2, p50: 1.5, p90: 3, p99: 4, p999: 5, max: 5},
		});
		const text = mount({snapshot}).frame().join('\n');
		assert.match(text, /open 3 {2}connecting 1 {2}reconnecting 0 {2}failed 1 {2}closed 0 {2}idle 0 {2}stale 0/);
		assert.match(text, /msgs 1234 \(12\.5\/s\) {2}hb 56 \(1\.0\/s\) {2}errs 2 {2}reconn 1/);
		assert.match(text, /msgs\/s ▁▅█ +peak 10\.0 {2}connect p50 2\.5ms p99 9\.3ms {2}latency p50 1\.5ms p99 4\.0ms/);
	});

	test('the delivery line tells what the summary\'s Delivery line tells', () => {
		const snapshot = createSnapshot({
			clients: 2,
			totals: {messages: 100},
			delivery: {...emptyDelivery(), accountedClients: 2, sources: {seq: 2, field: 0, id: 0, streamId: 0}, expected: 100, received: 97, ratio: 0.97, gaps: 3, duplicates: 1, resets: 1, reconnects: {resumed: 1, notResumed: 1}},
			reconnectMs: {count: 2, min: 100, mean: 150, p50: 100, p90: 200, p99: 200, p999: 200, max: 200},
		});
		const text = mount({snapshot, width: 140}).frame().join('\n');
		assert.match(text, /delivery 97\.0% \(97 of 100\) {2}gaps 3 {2}dup 1 {2}out-of-order 0 {2}resets 1 {2}resumed 1\/2 {2}reconnect p99 200ms/);
	});

	test('a broadcast run shows how far it is: waiting for subscribers, then published and owed', () => {
		const waiting = createSnapshot({clients: 5, broadcast: {published: 0, requested: 100, subscribed: 3, owed: 0}});
		assert.match(mount({snapshot: waiting, width: 140}).frame().join('\n'), /broadcast: waiting for clients to subscribe \(3 so far\), then 100 messages/);
		cleanup();
		const running = createSnapshot({
			clients: 5,
			totals: {messages: 200},
			delivery: {...emptyDelivery(), accountedClients: 5, sources: {seq: 5, field: 0, id: 0, streamId: 0}, expected: 200, received: 195, ratio: 0.975},
			broadcast: {published: 40, requested: 100, subscribed: 5, owed: 5},
		});
		assert.match(mount({snapshot: running, width: 160}).frame().join('\n'), /· broadcast 40\/100 published, 5 deliveries owed/);
	});

	test('the server\'s side: Redis and stats samples on their own line, a difference from the clients marked', () => {
		const snapshot = createSnapshot({
			clients: 10,
			server: {
				redis: {url: 'redis://127.0.0.1:6379', channels: ['dashboard_updates'], last: {t: 1000, reachable: true, subscribers: {dashboard_updates: 2}, patterns: 0, connectedClients: 7, opsPerSec: 120, usedMemoryBytes: 3 * 1_048_576, serveConnections: 4}},
				stats: {url: 'http://127.0.0.1:3001/dashboard/stats', fields: ['connections'], last: {t: 1000, reachable: true, values: {connections: 30}}},
				disagreements: ['connections the server counts that no client holds (half-open?): server 30, clients 10'],
			},
		});
		const text = mount({snapshot, width: 240}).frame().join('\n');
		assert.match(text, /redis: subs dashboard_updates 2 · clients 7 · 120 ops\/s · 3\.0 MiB {3}stats: connections 30 {3}✗ connections the server counts that no client holds \(half-open\?\): server 30, clients 10/);
		cleanup();
		const down = createSnapshot({server: {redis: {url: 'redis://x', channels: ['c'], last: {t: 1, reachable: false, error: 'connect ECONNREFUSED', subscribers: {}, patterns: 0, connectedClients: 0, opsPerSec: 0, usedMemoryBytes: 0, serveConnections: 0}}, stats: null, disagreements: []}});
		assert.match(mount({snapshot: down}).frame().join('\n'), /redis: unreachable \(connect ECONNREFUSED\)/);
	});

	test('a load shape shows its status in the header: the stage target, churn counts, storm recovery', () => {
		for (const text of ['stage 2/3: target 300 -> 500', 'churn 12 closed, 11 reopened, 1 failed', 'storm: 87% back (87/100)']) {
			const frame = mount({snapshot: createSnapshot({clients: 5, shape: {name: 'x', text}}), width: 160}).frame().join('\n');
			assert.match(frame, new RegExp(`clients \\d+ \\(asked \\d+\\) · ${text.replaceAll(/[()/]/g, String.raw`\$&`)}`));
			cleanup();
		}
	});

	test('without sequence numbers the delivery line says accounting is off', () => {
		const text = mount({snapshot: createSnapshot({clients: 1, totals: {messages: 5}})}).frame().join('\n');
		assert.match(text, /delivery not accounted: no message carries a sequence number/);
	});

	test('no latency percentiles when messages carry no send time', () => {
		const text = mount().frame().join('\n');
		assert.doesNotMatch(text, /latency p50/);
		assert.match(text, /connect n\/a/);
	});

	test('a client whose heartbeat is overdue reads "stale" (text marker, so it shows without colour)', () => {
		// No interval observed yet: 2 x 30 s. At 100 s, a heartbeat at 30 s is 70 s old.
		const rows = createRows(3, id => ({heartbeats: 3, lastHeartbeatAt: id === 2 ? 30_000 : 95_000}));
		const {frame} = mount({rows, snapshot: createSnapshot({elapsedMs: 100_000, clients: 3, totals: {heartbeats: 9}})});
		const table = frame();
		assert.match(table.find(line => /^\s+2 /.test(line))!, /^\s+2 stale/);
		assert.match(table.find(line => /^\s+1 /.test(line))!, /^\s+1 open/);
		assert.match(table.join('\n'), /stale 1/);
		assert.doesNotMatch(table.join('\n'), /\u001B\[/, 'no escape codes with color off');
	});

	test('nothing is stale when the server sends no heartbeats at all', () => {
		const rows = createRows(2);
		const text = mount({rows, snapshot: createSnapshot({elapsedMs: 500_000, clients: 2})}).frame().join('\n');
		assert.match(text, /stale 0/);
		assert.doesNotMatch(text, /^\s+\d+ stale/m);
	});

	test('the table shows the columns of issue 5 with ages and latency', () => {
		const rows = [createRows(1, {messages: 42, heartbeats: 3, errors: 1, reconnects: 2, lastEventId: 'evt-7', lastMessageAt: 9500, lastHeartbeatAt: 4000, latencyMs: 3.25})[0]!];
		const {frame} = mount({rows});
		const table = frame();
		// 100 columns: every column, and room to spell out the first few titles (column-titles.ts).
		assert.match(table.find(line => /^\s+id/.test(line))!, /id▲ state +messages +heartbeats +errors reconn last id +msg age +hb age +latency/);
		assert.match(table.find(line => /^\s+1 /.test(line))!, /1 open +42 +3 +1 +2 evt-7 +0\.5s +6\.0s +3\.3ms/);
	});

	test('s cycles the sort column and r reverses it', async () => {
		const rows = createRows(5, id => ({messages: [7, 3, 9, 1, 5][id - 1]!}));
		const app = mount({rows});
		assert.deepEqual(app.ids(), [1, 2, 3, 4, 5]);
		await press(app.stdin, 's', 's');
		assert.match(app.frame().join('\n'), /messages▼/);
		assert.deepEqual(app.ids(), [3, 1, 5, 2, 4]);
		await press(app.stdin, 'r');
		assert.deepEqual(app.ids(), [4, 2, 5, 1, 3]);
	});

	test('sorting by state puts problems first', async () => {
		const rows = createRows(4, id => ({state: (['open', 'failed', 'open', 'reconnecting'] as const)[id - 1]}));
		const app = mount({rows});
		await press(app.stdin, 's');
		assert.deepEqual(app.ids(), [2, 4, 1, 3]);
	});

	test('f shows problem clients only, and back', async () => {
		const rows = createRows(6, id => (id === 2 ? {errors: 1} : (id === 5 ? {state: 'reconnecting', reconnects: 1} : {})));
		const app = mount({rows});
		await press(app.stdin, 'f');
		assert.deepEqual(app.ids(), [2, 5]);
		assert.match(app.frame().join('\n'), /rows 1-2 of 2 \(problems of 6\) · sort id ▲ · filter problems/);
		await press(app.stdin, 'f');
		assert.deepEqual(app.ids(), [1, 2, 3, 4, 5, 6]);
	});

	test('the problems filter says so when there are none', async () => {
		const app = mount();
		await press(app.stdin, 'f');
		assert.match(app.frame().join('\n'), /no problems: every client is fine/);
	});

	test('only the visible window is drawn, and it scrolls', async () => {
		const {page} = layout(20);
		const app = mount({rows: createRows(1000), height: 20});
		assert.equal(app.ids().length, page);
		assert.deepEqual(app.ids().slice(0, 2), [1, 2]);
		assert.ok(app.frame().length <= 19, 'the frame leaves the last terminal line free');
		await press(app.stdin, keys.down, keys.down);
		assert.equal(app.ids()[0], 3);
		await press(app.stdin, keys.pageDown);
		assert.equal(app.ids()[0], 3 + page - 1);
		await press(app.stdin, keys.up);
		assert.equal(app.ids()[0], 2 + page - 1);
		await press(app.stdin, keys.end);
		assert.equal(app.ids().at(-1), 1000);
		assert.match(app.frame().join('\n'), new RegExp(`rows ${1001 - page}-1000 of 1000`));
		await press(app.stdin, keys.down);
		assert.equal(app.ids().at(-1), 1000, 'no scrolling past the end');
		await press(app.stdin, keys.home);
		assert.equal(app.ids()[0], 1);
		await press(app.stdin, keys.pageUp);
		assert.equal(app.ids()[0], 1, 'no scrolling before the start');
	});

	test('a narrow terminal drops columns instead of wrapping rows', () => {
		const rows = createRows(3, {lastEventId: 'a-very-long-event-id', latencyMs: 5, messages: 10});
		const app = mount({rows, width: 50});
		const text = app.frame();
		const head = text.find(line => /^\s+id/.test(line))!;
		assert.doesNotMatch(head, /last id|latency|reconn/);
		assert.match(head, /id▲ state +msgs +hb +errs +hb age$/);
		for (const line of text) {
			assert.ok(line.length <= 50, `"${line}" is wider than 50`);
		}

		assert.equal(app.ids().length, 3, 'one line per client');
	});

	test('? opens the help overlay and Esc closes it', async () => {
		const app = mount();
		await press(app.stdin, '?');
		assert.match(app.frame().join('\n'), /s +sort by the next column/);
		assert.deepEqual(app.ids(), []);
		await press(app.stdin, keys.escape);
		assert.doesNotMatch(app.frame().join('\n'), /sort by the next column/);
		assert.deepEqual(app.ids(), [1, 2, 3]);
	});

	test('q stops the run once and shows it; + and - add and remove clients', async () => {
		const app = mount();
		await press(app.stdin, '+', '+', '-');
		assert.deepEqual(app.controls.calls, ['add 1', 'add 1', 'remove 1']);
		// Pressed fast or held down, keys arrive as one chunk: each counts.
		await press(app.stdin, '+++', '--');
		assert.deepEqual(app.controls.calls.slice(3), ['add 3', 'remove 2']);
		await press(app.stdin, 'q');
		assert.deepEqual(app.controls.calls.at(-1), 'stop');
		assert.match(app.frame()[1]!, /stopping…/);
	});

	test('Ctrl-C stops the run like q', async () => {
		const app = mount();
		await press(app.stdin, keys.ctrlC);
		assert.deepEqual(app.controls.calls, ['stop']);
	});

	test('p freezes the display while the store goes on, and p resumes', async () => {
		const app = mount({rows: createRows(2, {messages: 1})});
		await press(app.stdin, 'p');
		assert.match(app.frame()[1]!, /PAUSED/);
		app.source.publish(createSnapshot({elapsedMs: 20_000, totals: {messages: 999}}), createRows(2, {messages: 500}));
		await press(app.stdin, keys.down);
		assert.doesNotMatch(app.frame().join('\n'), /msgs 999/);
		assert.match(app.frame().join('\n'), /elapsed 10s \//);
		await press(app.stdin, 'p');
		assert.match(app.frame().join('\n'), /msgs 999/);
		assert.match(app.frame().join('\n'), /^\s+1 open +500/m);
	});

	test('a published snapshot redraws the frame', async () => {
		const app = mount();
		app.source.publish(createSnapshot({elapsedMs: 12_000, totals: {messages: 77}}));
		await press(app.stdin);
		await new Promise(resolve => setTimeout(resolve, 20));
		assert.match(app.frame().join('\n'), /msgs 77/);
	});

	test('the log pane shows the newest lines and how many the rate limit held back', () => {
		const log = new LogBuffer({perSecond: {warn: 2}});
		for (let index = 1; index <= 4; index++) {
			if (log.accept('warn', 1500)) {
				log.push('warn', `client ${index} error (connect): refused`, 1500);
			}
		}

		log.push('error', 'boom', 2500);
		const text = mount({log, height: 30}).frame().join('\n');
		assert.match(text, /log \(info and above\) · 2 lines over the rate limit not shown/);
		assert.match(text, /\+1\.5s WARN {2}client 1 error \(connect\): refused\n.*client 2.*\n\+2\.5s ERROR boom/);
	});

	test('with colour on, a stale row is painted (and still says stale)', () => {
		const rows = createRows(1, {heartbeats: 1, lastHeartbeatAt: 1000});
		const text = mount({rows, color: true, snapshot: createSnapshot({elapsedMs: 100_000, totals: {heartbeats: 1}})}).frame().join('\n');
		assert.match(text, /1 stale/);
	});
});

describe('dashboard table drawing', () => {
	test('columns stay aligned when cells are cut or short, one line per client', () => {
		const rows = createRows(3, id => ({lastEventId: id === 2 ? 'an-event-id-longer-than-its-column' : String(id), messages: id * 1000, latencyMs: id}));
		const app = mount({rows, width: 100});
		const table = app.frame();
		const head = table.find(line => /^\s+id/.test(line))!;
		const rowLines = table.filter(line => /^\s+\d+ open/.test(line));
		assert.equal(rowLines.length, 3);
		// 100 columns (ink-testing-library's terminal): every column, the first titles spelled out.
		assert.match(head, /^ {3}id▲ state {9}messages {2}heartbeats {2}errors reconn last id {6}msg age {2}hb age {2}latency {2}gaps$/);
		assert.match(rowLines[1]!, /^ {5}2 open {14}2000 {11}0 {7}0 {6}0 an-event-id… {7}- {7}- {4}2\.0ms {5}0$/);
		for (const line of rowLines) {
			assert.equal(line.length, head.length, `"${line}" lines up with the header`);
		}
	});

	test('an event id with wide characters does not break the other rows', () => {
		const rows = createRows(3, id => ({lastEventId: id === 2 ? '事件事件' : 'x'}));
		const app = mount({rows});
		assert.deepEqual(app.ids(), [1, 2, 3]);
		assert.match(app.frame().find(line => /^\s+2 /.test(line))!, /^\s+2 open .*事件事件/);
		assert.match(app.frame().find(line => /^\s+3 /.test(line))!, /^\s+3 open +0 +0 +0 +0 x +- +- +- +0$/);
	});

	test('problem rows are painted with colour on and the frame text is the same as without', () => {
		const rows = createRows(4, id => ({state: id === 2 ? 'failed' : 'open', heartbeats: 3, lastHeartbeatAt: id === 3 ? 30_000 : 95_000}));
		const snapshot = createSnapshot({elapsedMs: 100_000, clients: 4, totals: {heartbeats: 12}});
		const plain = mount({rows, snapshot, color: false}).frame();
		cleanup();
		const colored = mount({rows, snapshot, color: true}).frame();
		// eslint-disable-next-line no-control-regex
		assert.deepEqual(colored.map(line => line.replaceAll(/\u001B\[[\d;]*m/g, '')), plain);
	});
});
