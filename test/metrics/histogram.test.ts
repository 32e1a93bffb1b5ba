import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {DurationHistogram} from '../../source/metrics/histogram.js';

describe('DurationHistogram', () => {
	test('min is the lowest value recorded, 0 ms included, and survives addTo and reset', () => {
		const a = new DurationHistogram();
		a.record(3);
		a.record(0);
		a.record(5);
		assert.equal(a.summary()!.min, 0);
		const b = new DurationHistogram();
		b.record(2);
		assert.equal(b.summary()!.min, 2);
		a.addTo(b);
		assert.equal(b.summary()!.min, 0);
		assert.equal(b.summary()!.count, 4);
		b.reset();
		assert.equal(b.summary(), undefined);
		b.record(7);
		assert.equal(b.summary()!.min, 7);
	});

	test('is empty until something is recorded', () => {
		assert.equal(new DurationHistogram().summary(), undefined);
	});

	/** HDR keeps 3 significant digits: a reported value is within 0.1 % of the recorded one. */
	const near = (actual: number, expected: number) => {
		assert.ok(Math.abs(actual - expected) <= expected / 1000, `${actual} is not within 0.1 % of ${expected}`);
	};

	test('percentiles over runs of equal and different values are exact to 3 digits', () => {
		const histogram = new DurationHistogram();
		for (let index = 0; index < 90; index++) {
			histogram.record(1);
		}

		for (let index = 0; index < 9; index++) {
			histogram.record(10);
		}

		histogram.record(250);
		const summary = histogram.summary()!;
		assert.equal(summary.count, 100);
		near(summary.p50, 1);
		near(summary.p90, 1);
		near(summary.p99, 10);
		near(summary.max, 250);
		assert.equal(histogram.count, 100);
	});

	test('a value recorded last is counted without a following different value', () => {
		const histogram = new DurationHistogram();
		histogram.record(5);
		histogram.record(5);
		assert.equal(histogram.count, 2);
		histogram.record(5);
		assert.equal(histogram.summary()!.count, 3);
	});

	test('negative latencies (clock skew) count as zero', () => {
		const histogram = new DurationHistogram();
		histogram.record(-20);
		assert.equal(histogram.summary()!.max, 0);
	});

	test('buckets: each recorded value once, lowest first, with its count', () => {
		const histogram = new DurationHistogram();
		assert.deepEqual(histogram.buckets(), []);
		for (const ms of [20, 5, 5, 0, 5, 20, 1.5]) {
			histogram.record(ms);
		}

		assert.deepEqual(histogram.buckets(), [{ms: 0, count: 1}, {ms: 1.5, count: 1}, {ms: 5, count: 3}, {ms: 20, count: 2}]);
	});

	test('buckets: values within 3 significant digits share one, and the counts add up to the total', () => {
		const histogram = new DurationHistogram();
		histogram.record(1000);
		histogram.record(1000.2);
		histogram.record(3_000_000);
		const buckets = histogram.buckets();
		assert.equal(buckets.length, 2);
		near(buckets[0]!.ms, 1000);
		assert.equal(buckets[0]!.count, 2);
		near(buckets[1]!.ms, 3_000_000);
		assert.equal(buckets.reduce((sum, bucket) => sum + bucket.count, 0), histogram.count);
	});
});
