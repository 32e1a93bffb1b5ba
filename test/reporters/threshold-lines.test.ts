import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {summaryLines} from '../../source/reporters/text.js';
import {createSummary} from '../verdict/factories.js';

const results = [
	{expr: 'delivery>=100%', metric: 'delivery', value: 100, passed: true},
	{expr: 'p99<250ms', metric: 'latency.p99', value: 312.5, passed: false},
	{expr: 'fanout.p99<1s', metric: 'fanout.p99', value: null, passed: false},
];

describe('text summary: thresholds', () => {
	test('no thresholds: no table and no verdict line', () => {
		const lines = summaryLines(createSummary());
		assert.ok(!lines.some(line => /Thresholds|Verdict/.test(line)));
	});

	test('a table of expression, PASS/FAIL and the value with its unit ("no data" when nothing was measured), then the verdict', () => {
		const lines = summaryLines(createSummary({thresholds: results}));
		assert.deepEqual(lines.slice(lines.indexOf('Thresholds:')), [
			'Thresholds:',
			'  PASS  delivery>=100%  100%',
			'  FAIL  p99<250ms       312.5ms',
			'  FAIL  fanout.p99<1s   no data',
			'Verdict:          FAIL (2 of 3 thresholds failed: p99<250ms, fanout.p99<1s)',
		]);
	});

	test('every threshold passed', () => {
		assert.equal(summaryLines(createSummary({thresholds: [results[0]!]})).at(-1), 'Verdict:          PASS (1 of 1 thresholds passed)');
	});

	test('every threshold passed but no client ever connected: the verdict is still FAIL', () => {
		const summary = createSummary({thresholds: [results[0]!], clients: {requested: 2, connected: 0, notStarted: 0, final: createSummary().clients.final}});
		assert.equal(summaryLines(summary).at(-1), 'Verdict:          FAIL (every threshold passed, but no client ever connected)');
	});
});
