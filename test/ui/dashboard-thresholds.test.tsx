import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import type {ThresholdResult} from '../../source/reporters/summary.js';
import {Dashboard} from '../../source/ui/dashboard/dashboard.js';
import {LogBuffer} from '../../source/ui/log-buffer.js';
import {createControls, createInfo, createRows, createSnapshot, createSource, lines} from './factories.js';

const delivered: ThresholdResult = {expr: 'delivery>=100%', metric: 'delivery', value: 100, passed: true};
const slow: ThresholdResult = {expr: 'p99<250ms', metric: 'latency.p99', value: 312, passed: false};
const unmeasured: ThresholdResult = {expr: 'fanout.p99<1s', metric: 'fanout.p99', value: null, passed: false};

function mount(initial: readonly ThresholdResult[] | undefined, {rows = createRows(40), height = 30, color = false} = {}) {
	let results = initial;
	const base = createSource(createSnapshot({clients: rows.length}), rows);
	const source = results === undefined ? base : {...base, thresholds: () => results!};
	const app = render(<Dashboard source={source} info={createInfo()} controls={createControls(rows.length)} version="9.9.9" log={new LogBuffer()} color={color} width={120} height={height}/>);
	return {
		...app,
		frame: () => lines(app.lastFrame()),
		/** a new tick: the next snapshot, with these results */
		publish(next: readonly ThresholdResult[]) {
			results = next;
			base.publish(createSnapshot({clients: rows.length, elapsedMs: 11_000}));
		},
	};
}

const tick = async () => new Promise(resolve => setTimeout(resolve, 50));

afterEach(() => {
	cleanup();
});

describe('dashboard: thresholds line', () => {
	test('no thresholds (none given, or a source without them): no line', () => {
		assert.ok(!mount(undefined).frame().some(line => line.includes('thresholds:')));
		assert.ok(!mount([]).frame().some(line => line.includes('thresholds:')));
	});

	test('each threshold passing or failing now, with its measured value, below the totals', () => {
		const frame = mount([delivered, slow, unmeasured]).frame();
		const at = frame.findIndex(line => line.startsWith('thresholds:'));
		assert.equal(frame[at], 'thresholds: ✓ delivery>=100% (100%)  ✗ p99<250ms (312ms)  ✗ fanout.p99<1s (no data)');
		assert.ok(at > frame.findIndex(line => line.startsWith('msgs/s ')), 'below the totals');
		assert.ok(at < frame.findIndex(line => /^\s+id/.test(line)), 'above the table');
	});

	test('follows the results each tick brings', async () => {
		const app = mount([slow]);
		assert.ok(app.frame().includes('thresholds: ✗ p99<250ms (312ms)'));
		app.publish([{...slow, value: 120, passed: true}]);
		await tick();
		assert.ok(app.frame().includes('thresholds: ✓ p99<250ms (120ms)'), app.frame().join('\n'));
	});

	test('the line takes its row from the table, so the frame still leaves the last terminal line free', () => {
		for (const height of [24, 30, 40]) {
			cleanup();
			assert.equal(mount([], {height}).frame().length, height - 1, `no thresholds, height ${height}`);
			cleanup();
			assert.equal(mount([slow], {height}).frame().length, height - 1, `thresholds, height ${height}`);
		}
	});

	test('with colour on, the line reads the same (✓ and ✗ carry the meaning without colour)', () => {
		const plain = mount([delivered, slow]).frame();
		cleanup();
		const colored = mount([delivered, slow], {color: true}).frame();
		// eslint-disable-next-line no-control-regex
		assert.deepEqual(colored.map(line => line.replaceAll(/\u001B\[[\d;]*m/g, '')), plain);
	});
});
