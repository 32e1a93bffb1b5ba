import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {spellOut} from '../../source/ui/dashboard/column-titles.js';
import {columns, fitColumns, headerLine} from '../../source/ui/dashboard/columns.js';
import {Dashboard} from '../../source/ui/dashboard/dashboard.js';
import {dashboardReducer, initialDashboardState} from '../../source/ui/dashboard/dashboard-state.js';
import {helpLines, wrap} from '../../source/ui/dashboard/help-panel.js';
import {columnHelp, keyHelp, totalsHelp} from '../../source/ui/dashboard/help-text.js';
import {createControls, createInfo, createRows, createSnapshot, createSource, keys, lines, press} from './factories.js';

const tableWidth = (shown: ReadonlyArray<{width: number}>) => shown.reduce((sum, candidate) => sum + candidate.width, shown.length - 1);

describe('column titles: abbreviated when narrow, spelled out when wide', () => {
	test('120 columns spell out every title, each column wide enough for its title and the sort arrow', () => {
		const shown = spellOut(fitColumns(120), 120);
		assert.equal(headerLine(shown, 'heartbeats', true), '    id state         messages heartbeats▼  errors  reconnects last event id   message age  heartbeat age  latency  gaps');
		assert.ok(tableWidth(shown) <= 120);
	});

	test('a terminal that fits only the short titles keeps them; one that drops columns spends nothing on names', () => {
		assert.deepEqual(spellOut(fitColumns(91), 91).map(candidate => candidate.title), ['id', 'state', 'msgs', 'hb', 'errs', 'reconn', 'last id', 'msg age', 'hb age', 'latency', 'gaps']);
		const narrow = spellOut(fitColumns(60), 60);
		assert.deepEqual(narrow.map(candidate => candidate.title), ['id', 'state', 'msgs', 'hb', 'errs', 'reconn', 'hb age']);
		assert.ok(tableWidth(narrow) < 60, 'there was room to spell out a title, and it went unused');
	});

	test('the table never gets wider than the terminal, and a wider terminal never shows less', () => {
		let spelled = 0;
		for (let width = 20; width <= 200; width++) {
			const shown = spellOut(fitColumns(width), width);
			assert.ok(tableWidth(shown) <= width, `${width} columns: the table is ${tableWidth(shown)} wide`);
			const now = shown.filter(candidate => candidate.title !== columns.find(short => short.id === candidate.id)!.title).length;
			assert.ok(now >= spelled, `${width} columns spell out fewer titles than ${width - 1}`);
			spelled = now;
		}

		const abbreviated = (streams: boolean) => columns.filter(candidate => (streams || candidate.id !== 'stream') && columnHelp[candidate.id].long !== candidate.title).length;
		assert.equal(spelled, abbreviated(false), 'at 200 columns every abbreviation is spelled out');
		// Request streams add their column: spelled out too once everything fits.
		const withStreams = spellOut(fitColumns(220, true), 220, true);
		assert.equal(withStreams.filter(candidate => candidate.title !== columns.find(short => short.id === candidate.id)!.title).length, abbreviated(true));
	});
});

describe('? help: every key and every column explained', () => {
	afterEach(() => {
		cleanup();
	});

	function mount(height = 24) {
		const rows = createRows(3);
		return render(<Dashboard source={createSource(createSnapshot({clients: 3}), rows)} info={createInfo()} controls={createControls(3)} version="9.9.9" color={false} width={100} height={height}/>);
	}

	test('scrolling through the help shows every key, every column by both its names, and the totals words', async () => {
		const app = mount();
		await press(app.stdin, '?');
		const seen = new Set<string>();
		let previous = '';
		for (let step = 0; step < 20; step++) {
			const frame = lines(app.lastFrame()).join('\n');
			for (const line of lines(app.lastFrame())) {
				seen.add(line.replace(/^│ ?/, '').replace(/ *│$/, ''));
			}

			if (frame === previous) {
				break;
			}

			previous = frame;
			// eslint-disable-next-line no-await-in-loop
			await press(app.stdin, keys.pageDown);
		}

		const text = [...seen].join('\n');
		assert.match(text, /lines \d+-(\d+) of \1 · ↑\/↓ PgUp\/PgDn scroll · \? or Esc closes/, 'scrolled to the last line');
		for (const entry of [...keyHelp, ...totalsHelp]) {
			assert.ok(text.includes(entry.name), `the help names "${entry.name}"`);
			assert.ok(text.includes(entry.text.split(' ').slice(0, 3).join(' ')), `the help explains "${entry.name}"`);
		}

		for (const candidate of columns) {
			const {long} = columnHelp[candidate.id];
			assert.ok(text.includes(long === candidate.title ? long : `${long} (${candidate.title})`), `the help names the column ${candidate.id}`);
		}
	});

	test('↑/↓ scroll the help, not the table; Esc closes it and the table is back where it was', async () => {
		const app = mount();
		await press(app.stdin, '?');
		assert.match(lines(app.lastFrame()).join('\n'), /│ keys/);
		assert.match(lines(app.lastFrame()).join('\n'), /lines 1-\d+ of \d+/);
		await press(app.stdin, keys.down, keys.down);
		assert.match(lines(app.lastFrame()).join('\n'), /lines 3-\d+ of \d+/);
		assert.doesNotMatch(lines(app.lastFrame()).join('\n'), /│ keys/);
		await press(app.stdin, keys.up);
		assert.match(lines(app.lastFrame()).join('\n'), /lines 2-\d+ of \d+/);
		await press(app.stdin, keys.escape);
		const frame = lines(app.lastFrame());
		assert.ok(frame.some(line => /^\s+1 open/.test(line)), 'the table is back, from its first row');
		await press(app.stdin, '?');
		assert.match(lines(app.lastFrame()).join('\n'), /lines 1-\d+ of \d+/, 'the help opens at its top again');
	});

	test('help lines fit the panel at any width: text wraps beside its name, or under it when narrow', () => {
		for (let width = 24; width <= 160; width++) {
			for (const line of helpLines(width)) {
				assert.ok(line.text.length <= width, `${width}: "${line.text}" is ${line.text.length} wide`);
			}
		}

		const wide = helpLines(96).map(line => line.text);
		assert.ok(wide.some(line => /^heartbeats \(hb\) +heartbeats received/.test(line)));
		const narrow = helpLines(40).map(line => line.text);
		assert.deepEqual(narrow.slice(narrow.indexOf('heartbeats (hb)'), narrow.indexOf('heartbeats (hb)') + 2), ['heartbeats (hb)', '  heartbeats received: SSE comment']);
	});

	test('wrap cuts at spaces, and cuts a word longer than the line', () => {
		assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
		assert.deepEqual(wrap('abcdefghij xy', 4), ['abcd', 'efgh', 'ij', 'xy']);
	});

	test('the reducer clamps the help scroll and opens the help at its top', () => {
		const limits = {total: 40, page: 10};
		let state = dashboardReducer(initialDashboardState, {type: 'toggle-help'});
		state = dashboardReducer(state, {type: 'help-scroll', delta: -3, limits});
		assert.equal(state.helpOffset, 0);
		state = dashboardReducer(state, {type: 'help-scroll', delta: 100, limits});
		assert.equal(state.helpOffset, 30);
		state = dashboardReducer(dashboardReducer(state, {type: 'toggle-help'}), {type: 'toggle-help'});
		assert.deepEqual([state.help, state.helpOffset], [true, 0]);
	});
});
