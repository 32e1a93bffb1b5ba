import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {compareSummaries} from '../../source/compare/comparison.js';
import {Dashboard} from '../../source/ui/dashboard/dashboard.js';
import {createBroadcast, createPercentiles, createSummary} from '../verdict/factories.js';
import {createControls, createInfo, createRows, createSnapshot, createSource, lines, press} from './factories.js';

const names = ['rails', 'serve', 'cable', 'go-server'];
const comparison = compareSummaries(names.map((name, index) => ({
	name,
	summary: createSummary({latencyMs: createPercentiles({p50: 10 * (index + 1), p99: 100 * (index + 1)}), broadcast: createBroadcast({fanoutMs: createPercentiles({p99: 1234.5 * (index + 1)})})}),
})));

function mount(width: number, targets: readonly string[], compare = () => comparison) {
	const rows = createRows(8);
	const source = {...createSource(createSnapshot({clients: rows.length}), rows), compare};
	const app = render(<Dashboard source={source} info={createInfo({targets})} controls={createControls(rows.length)} version="9.9.9" color={false} width={width} height={30}/>);
	return {...app, source, frame: () => lines(app.lastFrame())};
}

afterEach(() => {
	cleanup();
});

describe('the dashboard with --target', () => {
	for (const width of [120, 80, 60]) {
		test(`${width} columns, 4 targets: a column each, every line within the width, values whole`, () => {
			const frame = mount(width, names).frame();
			const title = frame.findIndex(line => line.startsWith('targets '));
			assert.ok(title > 0, frame.join('\n'));
			for (const name of names) {
				assert.ok(frame[title]!.includes(name), `${name} in ${frame[title]}`);
			}

			const p99 = frame.find(line => line.startsWith('latency p99 '))!;
			// Down to 15 columns a target (80 columns for 4) the ratio to the first fits; narrower, values and marks only.
			assert.match(p99, width >= 80 ? /100ms\* +200ms \(2\.00x\) +300ms \(3\.00x\) +400ms \(4\.00x\)/ : /100ms\* +200ms +300ms +400ms\s*$/);
			assert.match(frame.find(line => line.startsWith('fan-out p99 '))!, /1\.23s\* +2\.47s/);
			for (const line of frame) {
				assert.ok(line.length <= width, `${line.length}: ${line}`);
			}
		});
	}

	test('p pauses the columns with the rest of the frame', async () => {
		let now = comparison;
		const app = mount(100, names, () => now);
		const p99 = () => app.frame().find(line => line.startsWith('latency p99 '))!;
		assert.match(p99(), /^latency p99 +100ms\*/);
		await app.stdin.write('p');
		await new Promise(resolve => setTimeout(resolve, 50));
		now = compareSummaries(names.map(name => ({name, summary: createSummary({latencyMs: createPercentiles({p99: 7})})})));
		await new Promise(resolve => setTimeout(resolve, 50));
		app.rerender(<Dashboard source={app.source} info={createInfo({targets: names})} controls={createControls(8)} version="9.9.9" color={false} width={100} height={30}/>);
		assert.match(p99(), /^latency p99 +100ms\*/, 'paused');
		await app.stdin.write('p');
		await new Promise(resolve => setTimeout(resolve, 50));
		assert.match(p99(), /^latency p99 +7\.0ms +7\.0ms/, 'resumed');
	});

	test('t cycles the table: all, then each target\'s clients (ids interleave), then all', async () => {
		const app = mount(100, ['a', 'b']);
		const ids = () => app.frame().map(line => /^\s+(\d+) /.exec(line)?.[1]).filter(Boolean).map(Number);
		assert.deepEqual(ids(), [1, 2, 3, 4, 5, 6, 7, 8]);
		await press(app.stdin, 't');
		assert.deepEqual(ids(), [1, 3, 5, 7]);
		assert.match(app.frame().join('\n'), /rows 1-4 of 4 · t target a ·/);
		await press(app.stdin, 't');
		assert.deepEqual(ids(), [2, 4, 6, 8]);
		await press(app.stdin, 't');
		assert.deepEqual(ids(), [1, 2, 3, 4, 5, 6, 7, 8]);
		assert.match(app.frame().join('\n'), /t target all ·/);
	});
});
