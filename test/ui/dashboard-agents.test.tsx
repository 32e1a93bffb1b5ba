import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {isValidElement} from 'react';
import {agentColumns, fitAgentColumns, type AgentRow} from '../../source/agents/table.js';
import {Dashboard} from '../../source/ui/dashboard/dashboard.js';
import {AgentsPanel, agentsShown} from '../../source/ui/dashboard/agents-panel.js';
import {helpLines} from '../../source/ui/dashboard/help-panel.js';
import {createAgentRow, createAgentRows, createControls, createInfo, createRows, createSnapshot, createSource, lines, press} from './factories.js';

/** agents null: a run without --agents */
function mount({agents = createAgentRows(3) as AgentRow[] | null, width = 120, height = 30, color = false} = {}) {
	let now = agents ?? [];
	const rows = createRows(4);
	const source = {...createSource(createSnapshot({clients: rows.length}), rows), ...(agents && {agents: () => now})};
	const element = () => <Dashboard source={source} info={createInfo()} controls={createControls(rows.length)} version="9.9.9" color={color} width={width} height={height}/>;
	const app = render(element());
	return {
		...app,
		frame: () => lines(app.lastFrame()),
		/** the panel: the title line, the column titles, and what follows up to the client table's head */
		panel() {
			const frame = this.frame();
			const start = frame.findIndex(line => /^\d+ agents?(:|$| ·)/.test(line));
			const end = frame.findIndex(line => /^\s+id/.test(line));
			return start < 0 ? [] : frame.slice(start, end);
		},
		/** a tick with other rows, redrawn */
		publish(next: AgentRow[]) {
			now = next;
			source.publish(createSnapshot({clients: rows.length}));
			app.rerender(element());
		},
	};
}

afterEach(() => {
	cleanup();
});

/** The cells of a drawn row, split at runs of spaces (no cell here holds two spaces). */
const cellsOf = (line: string) => line.trim().split(/ +(?=\S)/);

describe('the dashboard with --agents: the per-agent panel', () => {
	test('120 columns: a title with the states, every column, one row per agent with the AgentRow\'s numbers (the --json agents.list values)', () => {
		const agents = createAgentRows(3);
		const panel = mount({agents}).panel();
		assert.equal(panel[0], '3 agents: 2 running, 1 lost · a hides');
		assert.match(panel[1]!, /^name +host +state +clients +open +msgs\/s +errors +CPU % +RSS +lag$/);
		assert.equal(panel.length, 2 + 3);
		assert.deepEqual(panel.slice(2).map(line => line.replaceAll(/ +/g, ' ')), [
			'a1 load-host-1 running 100 100 10 0 - - -',
			'a2 load-host-2 lost 101 0 20 1 21 101 MiB 6 ms',
			'a3 load-host-3 running 102 102 30 2 22 102 MiB 7 ms',
		]);
		// Every cell is its column's cell of the same row, in the column's order.
		for (const [index, row] of agents.entries()) {
			assert.equal(panel[2 + index]!.replaceAll(/ +/g, ' '), agentColumns.map(column => column.cell(row)).join(' '));
		}
	});

	test('each cell sits in its column: left-aligned under the title\'s start, numbers ending under the title\'s end', () => {
		const agents = createAgentRows(3);
		const panel = mount({agents}).panel();
		let at = 0;
		for (const column of fitAgentColumns(agents, 120)) {
			const slice = (line: string) => line.slice(at, at + column.width);
			assert.equal(slice(panel[1]!)[column.align === 'left' ? 'trimEnd' : 'trimStart'](), column.title, column.id);
			for (const [index, row] of agents.entries()) {
				const text = slice(panel[2 + index]!.padEnd(120));
				assert.equal(column.align === 'left' ? text.trimEnd() : text, column.align === 'left' ? column.cell(row) : column.cell(row).padStart(column.width), `${column.id} of ${row.name}`);
			}

			at += column.width + 1;
		}
	});

	for (const width of [120, 80, 60, 40, 24]) {
		test(`${width} columns: no line wider than the terminal; host goes first, name, state and open stay`, () => {
			const app = mount({width});
			const panel = app.panel();
			assert.ok(panel.length === 5, app.frame().join('\n'));
			for (const line of app.frame()) {
				assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
			}

			const titles = cellsOf(panel[1]!).map(title => (title === 'CPU' ? 'CPU %' : title)).filter(title => title !== '%');
			assert.deepEqual(titles, fitAgentColumns(createAgentRows(3), width).map(column => column.title));
			assert.ok(titles.includes('name') && titles.includes('state') && titles.includes('open'), titles.join(' '));
			assert.equal(titles.includes('host'), width >= 80, `host at ${width}: ${titles.join(' ')}`);
		});
	}

	test('a wider terminal never shows fewer columns, and the columns always fit', () => {
		const rows = createAgentRows(3);
		let before = 0;
		for (let width = 20; width <= 160; width++) {
			const shown = fitAgentColumns(rows, width);
			assert.ok(shown.reduce((sum, column) => sum + column.width, shown.length - 1) <= width, `${width}`);
			assert.ok(shown.length >= before, `${width} columns show fewer than ${width - 1}`);
			before = shown.length;
		}

		assert.equal(before, agentColumns.length);
	});

	test('a long name is cut with … within its column, the row stays one line', () => {
		const panel = mount({agents: [createAgentRow({name: 'a-very-long-agent-name-from-kubernetes-0'})]}).panel();
		assert.match(panel[2]!, /^a-very-long-agent-n… load-host-1 running/);
	});

	test('many agents: a sixth of the height in rows, lost ones first, and "+K more"; the client table keeps its rows', () => {
		const agents = createAgentRows(25, 20);
		const app = mount({agents, height: 30});
		const panel = app.panel();
		assert.equal(panel[0], '25 agents: 24 running, 1 lost · a hides');
		assert.deepEqual(panel.slice(2, -1).map(line => cellsOf(line)[0]), ['a1', 'a2', 'a3', 'a4', 'a20']);
		assert.equal(panel.at(-1), '+20 more (lost agents first; --json and the summary list all)');
		assert.ok(app.frame().length < 30, `${app.frame().length} lines in 30 rows`);
		assert.match(app.frame().join('\n'), /rows 1-4 of 4/);
		assert.deepEqual(agentsShown(agents, 25).shown, agents, 'all of them when they fit, in order');
	});

	test('a hides the panel and shows it again; the footer names the key and ? explains it', async () => {
		const app = mount();
		assert.equal(app.panel().length, 5);
		assert.match(app.frame().join('\n'), /s r f p a \+\/- \? help/);
		await press(app.stdin, 'a');
		assert.deepEqual(app.panel(), []);
		assert.match(app.frame().join('\n'), /rows 1-4 of 4/, 'the client table stays');
		await press(app.stdin, 'a');
		assert.equal(app.panel().length, 5);
		const help = helpLines(100, true).map(line => line.text);
		assert.ok(help.some(line => /^a +--agents: show \/ hide the per-agent table/.test(line)), help.join('\n'));
		assert.ok(help.some(line => /^lag +its last message's send time/.test(line)));
		assert.ok(!helpLines(100).some(line => line.heading && line.text === 'agents'), 'no agents section without --agents');
	});

	test('p pauses the panel with the rest of the frame', async () => {
		const app = mount();
		await press(app.stdin, 'p');
		app.publish(createAgentRows(3).map(row => ({...row, open: 7})));
		assert.equal(cellsOf(app.panel()[2]!)[4], '100', 'paused');
		await press(app.stdin, 'p');
		app.publish(createAgentRows(3).map(row => ({...row, open: 7})));
		assert.equal(cellsOf(app.panel()[2]!)[4], '7', 'resumed');
	});

	test('a lost agent\'s state is painted red (bold) with colour on, nothing without', () => {
		/** Every element of the panel's tree with a colour, as [colour, text]. */
		const painted = (color: boolean) => {
			const found: Array<[string, string]> = [];
			const walk = (node: unknown): void => {
				if (Array.isArray(node)) {
					node.forEach(walk);
				} else if (isValidElement<{color?: string; children?: unknown}>(node)) {
					if (node.props.color) {
						found.push([node.props.color, String(node.props.children)]);
					}

					walk(node.props.children);
				}
			};

			walk(AgentsPanel({rows: createAgentRows(3), width: 120, height: 30, color}));
			return found;
		};

		assert.deepEqual(painted(true), [['red', 'lost   ']]);
		assert.deepEqual(painted(false), []);
	});

	test('without --agents: no panel, and a does nothing', async () => {
		const app = mount({agents: null});
		const before = app.frame();
		assert.deepEqual(app.panel(), []);
		assert.doesNotMatch(before.join('\n'), / p a /);
		await press(app.stdin, 'a');
		assert.deepEqual(app.frame(), before);
	});
});
