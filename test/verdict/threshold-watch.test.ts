import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {Summary} from '../../source/reporters/summary.js';
import {parseThreshold} from '../../source/verdict/threshold-parse.js';
import {watchThresholds} from '../../source/verdict/threshold-watch.js';
import {createPercentiles, createSummary} from './factories.js';

describe('watchThresholds', () => {
	test('latest() holds the last evaluation; check() evaluates again', () => {
		let summary: Summary = createSummary();
		const watch = watchThresholds({thresholds: [parseThreshold('p99<250ms')], summarize: () => summary, intervalMs: 60_000});
		try {
			assert.deepEqual(watch.latest(), [{expr: 'p99<250ms', metric: 'latency.p99', value: null, passed: false}]);
			summary = createSummary({latencyMs: createPercentiles({p99: 100})});
			watch.check();
			assert.deepEqual(watch.latest().map(result => result.passed), [true]);
		} finally {
			watch.stop();
		}
	});

	test('calls onCannotPass once, with the first threshold that can no longer pass', () => {
		let summary: Summary = createSummary();
		const calls: string[] = [];
		const thresholds = ['p99<1ms', 'errors.connect<=1', 'errors==0'].map(text => parseThreshold(text));
		const watch = watchThresholds({
			thresholds,
			summarize: () => summary,
			intervalMs: 60_000,
			onCannotPass(threshold, result) {
				calls.push(`${threshold.expr} at ${result.value}`);
			},
		});
		try {
			assert.deepEqual(calls, [], 'the first look, before the run starts, never gives up');
			summary = createSummary({latencyMs: createPercentiles({p99: 500})});
			watch.check();
			assert.deepEqual(calls, [], 'a percentile may still come down');
			summary = createSummary({errors: {total: 2, byKind: {connect: 2}}});
			watch.check();
			watch.check();
			assert.deepEqual(calls, ['errors.connect<=1 at 2']);
		} finally {
			watch.stop();
		}
	});
});
