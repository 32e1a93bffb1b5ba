import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig} from '../source/config.js';
import {UsageError} from '../source/errors.js';

describe('resolveConfig: --threshold and --abort-on-fail', () => {
	test('no thresholds by default, and no abort', () => {
		const config = resolveConfig({});
		assert.deepEqual(config.thresholds, []);
		assert.equal(config.abortOnFail, false);
	});

	test('each --threshold is parsed, in order, into a frozen list', () => {
		const config = resolveConfig({threshold: ['delivery>=100%', 'p99 < 250ms'], abortOnFail: true});
		assert.deepEqual(config.thresholds.map(threshold => [threshold.metric, threshold.op, threshold.value]), [['delivery', '>=', 100], ['latency.p99', '<', 250]]);
		assert.ok(Object.isFrozen(config.thresholds));
		assert.equal(config.abortOnFail, true);
	});

	test('a bad threshold is a usage error', () => {
		assert.throws(() => resolveConfig({threshold: ['p99<250ms', 'p99 fast']}), (error: unknown) => error instanceof UsageError && /^--threshold "p99 fast": /.test(error.message));
	});

	test('--abort-on-fail without a threshold is a usage error naming the fix', () => {
		assert.throws(() => resolveConfig({abortOnFail: true}), (error: unknown) => error instanceof UsageError && /^--abort-on-fail needs at least one --threshold, for example --threshold 'errors==0'$/.test(error.message));
	});
});
