import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {emptyDelivery} from '../../source/metrics/snapshot.js';
import type {Summary} from '../../source/reporters/summary.js';
import {canStillPass, evaluate, formatMeasured, withThresholds} from '../../source/verdict/threshold-eval.js';
import {parseThreshold} from '../../source/verdict/threshold-parse.js';
import {createBroadcast, createPercentiles, createSummary} from './factories.js';

const delivery = (overrides: Partial<Summary['delivery']>) => ({...emptyDelivery(), ...overrides});

describe('evaluate', () => {
	// [expression, summary fields, measured value, passed]
	const cases: Array<[string, Partial<Summary>, number | null, boolean]> = [
		['connected>=100%', {}, 100, true],
		['connected>=100%', {clients: {requested: 4, connected: 3, notStarted: 0, final: createSummary().clients.final}}, 75, false],
		['connected<=100%', {clients: {requested: 2, connected: 5, notStarted: 0, final: createSummary().clients.final}}, 100, true],
		['delivery>=100%', {delivery: delivery({ratio: 1})}, 100, true],
		// 57 / 100 * 100 is 56.99999999999999 in floating point
		['delivery>=57%', {delivery: delivery({ratio: 57 / 100})}, 57, true],
		['delivery>=100%', {delivery: delivery({ratio: 0.5})}, 50, false],
		['delivery>=0%', {delivery: delivery({ratio: null})}, null, false],
		['delivery>=100%', {delivery: delivery({ratio: 0.5}), broadcast: createBroadcast({ratio: 1})}, 100, true],
		['delivery>=100%', {delivery: delivery({ratio: 1}), broadcast: createBroadcast({ratio: null})}, null, false],
		['gaps==0', {delivery: delivery({gaps: 3})}, 3, false],
		['duplicates<=3', {delivery: delivery({duplicates: 3})}, 3, true],
		['resets<1', {delivery: delivery({resets: 1})}, 1, false],
		['errors==0', {}, 0, true],
		['errors<5', {errors: {total: 5, byKind: {connect: 5}}}, 5, false],
		['errors.connect<=5', {errors: {total: 6, byKind: {connect: 5, timeout: 1}}}, 5, true],
		['errors.timeout==0', {errors: {total: 6, byKind: {connect: 5, timeout: 1}}}, 1, false],
		['errors.status==0', {errors: {total: 6, byKind: {connect: 5}}}, 0, true],
		['stale==0', {errors: {total: 2, byKind: {stale: 2}}}, 2, false],
		['reconnects<10', {reconnects: 9}, 9, true],
		['p99<250ms', {latencyMs: createPercentiles({p99: 312})}, 312, false],
		['p99<0.5s', {latencyMs: createPercentiles({p99: 312})}, 312, true],
		['p50<=5', {latencyMs: createPercentiles({p50: 5})}, 5, true],
		['p90>8ms', {latencyMs: createPercentiles({p90: 9})}, 9, true],
		['p999<11ms', {latencyMs: createPercentiles({p999: 11})}, 11, false],
		['max<1s', {latencyMs: createPercentiles({max: 12})}, 12, true],
		['latency.p99<250ms', {latencyMs: null}, null, false],
		['fanout.p99<100ms', {broadcast: createBroadcast({fanoutMs: createPercentiles({p99: 80})})}, 80, true],
		['fanout.max<100ms', {broadcast: createBroadcast({fanoutMs: createPercentiles({max: 120})})}, 120, false],
		['fanout.p99<100ms', {broadcast: null}, null, false],
		['connect.p99<100ms', {connectMs: createPercentiles({p99: 40})}, 40, true],
		['reconnect.p99<1s', {reconnectMs: null}, null, false],
		['reconnect.p99<1s', {reconnectMs: createPercentiles({p99: 1500})}, 1500, false],
		['msgs_per_s>=10', {messages: {total: 100, perSecond: 10, perClient: 50}}, 10, true],
		['msgs_per_s>10', {messages: {total: 100, perSecond: 10, perClient: 50}}, 10, false],
		['errors==0', {errors: {total: 0, byKind: {}}}, 0, true],
	];
	for (const [expr, fields, value, passed] of cases) {
		test(`${expr} on ${JSON.stringify(fields).slice(0, 80)} -> ${value} ${passed ? 'PASS' : 'FAIL'}`, () => {
			const threshold = parseThreshold(expr);
			assert.deepEqual(evaluate([threshold], createSummary(fields)), [{expr, metric: threshold.metric, value, passed}]);
		});
	}

	test('results come in the order given; withThresholds fills summary.thresholds', () => {
		const thresholds = ['errors==0', 'p99<250ms'].map(text => parseThreshold(text));
		const summary = withThresholds(createSummary({latencyMs: createPercentiles({p99: 300})}), thresholds);
		assert.deepEqual(summary.thresholds.map(result => [result.expr, result.passed]), [['errors==0', true], ['p99<250ms', false]]);
		assert.deepEqual(withThresholds(createSummary(), []).thresholds, []);
	});
});

describe('canStillPass', () => {
	// [expression, value now, can it still pass]
	const cases: Array<[string, number | null, boolean]> = [
		['errors==0', 0, true],
		['errors==0', 1, false],
		['errors<3', 2, true],
		['errors<3', 3, false],
		['errors<=3', 3, true],
		['errors<=3', 4, false],
		['errors.connect==0', 2, false],
		['stale<1', 1, false],
		['duplicates==0', 1, false],
		['resets==0', 1, false],
		['reconnects<5', 5, false],
		['errors>=3', 0, true],
		['errors>3', 10, true],
		['errors==0', null, true],
		// gaps are taken back when a late message arrives: never given up on
		['gaps==0', 5, true],
		['p99<250ms', 900, true],
		['delivery>=100%', 10, true],
		['connected>=100%', 0, true],
		['msgs_per_s>=100', 1, true],
	];
	for (const [expr, value, expected] of cases) {
		test(`${expr} at ${value}: ${expected ? 'may still pass' : 'cannot pass any more'}`, () => {
			assert.equal(canStillPass(parseThreshold(expr), value), expected);
		});
	}
});

describe('formatMeasured', () => {
	const cases: Array<[string, number | null, string]> = [
		['delivery', 100, '100%'],
		['delivery', 99.999, '99.99%'],
		['connected', 57.3, '57.3%'],
		['latency.p99', 312.5, '312.5ms'],
		['fanout.max', 12_345, '12.345s'],
		['errors', 3, '3'],
		['errors.connect', 0, '0'],
		['msgs_per_s', 12.345, '12.35/s'],
		['latency.p99', null, 'no data'],
	];
	for (const [metric, value, text] of cases) {
		test(`${metric} ${value} reads ${text}`, () => {
			assert.equal(formatMeasured(metric, value), text);
		});
	}
});
