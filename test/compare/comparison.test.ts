import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {compareSummaries} from '../../source/compare/comparison.js';
import {cell, comparisonLines} from '../../source/compare/text.js';
import {createBroadcast, createPercentiles, createSummary} from '../verdict/factories.js';

const fast = createSummary({latencyMs: createPercentiles({p50: 10, p99: 20}), errors: {total: 0, byKind: {}}, broadcast: createBroadcast({ratio: 1, fanoutMs: createPercentiles({p99: 30})})});
const slow = createSummary({latencyMs: createPercentiles({p50: 40, p99: 90}), errors: {total: 3, byKind: {connect: 3}}, broadcast: createBroadcast({ratio: 0.5, fanoutMs: null})});

describe('the comparison block', () => {
	test('values, ratios to the first target, and the better one by the metric\'s direction', () => {
		const {metrics, baseline, targets} = compareSummaries([{name: 'a', summary: slow}, {name: 'b', summary: fast}]);
		assert.deepEqual([baseline, targets], ['a', ['a', 'b']]);
		assert.deepEqual(metrics.latencyP50, {unit: 'ms', better: 'lower', values: {a: 40, b: 10}, ratios: {a: 1, b: 0.25}, best: 'b'});
		assert.equal(metrics.delivery.best, 'b', 'higher delivery is better');
		assert.deepEqual(metrics.delivery.values, {a: 50, b: 100});
		assert.equal(metrics.errors.best, 'b');
		assert.deepEqual(metrics.errors.ratios, {a: 1, b: 0}, 'fewer errors: 0 x');
		assert.equal(metrics.fanoutP99.best, null, 'one target measured nothing: no winner');
		assert.deepEqual(metrics.fanoutP99.values, {a: null, b: 30});
		assert.equal(metrics.connected.best, null, 'a tie has no winner');
		assert.equal(metrics.heartbeats.best, null, 'heartbeats are shown, not judged');
	});

	test('the text cell marks the better value and gives the others\' ratio', () => {
		const {metrics} = compareSummaries([{name: 'a', summary: slow}, {name: 'b', summary: fast}]);
		assert.equal(cell(metrics.latencyP99, 'a', 'a'), '90.0ms');
		assert.equal(cell(metrics.latencyP99, 'b', 'a'), '20.0ms* (0.22x)');
		assert.equal(cell(metrics.latencyP99, 'b', 'a', {ratio: false}), '20.0ms*');
		const lines = comparisonLines({...fast, targets: {a: slow, b: fast}, comparison: compareSummaries([{name: 'a', summary: slow}, {name: 'b', summary: fast}])});
		assert.ok(lines.includes('  latency p99  90.0ms  20.0ms* (0.22x)'), lines.join('\n'));
		assert.ok(lines.includes('  faster: b (latency p99 20.0ms; a 90.0ms)'), lines.join('\n'));
	});
});
