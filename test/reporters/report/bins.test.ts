import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {HistogramBucket} from '../../../source/metrics/histogram.js';
import {latencyBins, type Bin} from '../../../source/reporters/report/bins.js';
import {mulberry32} from '../../helpers/splits.js';

/** Every recorded bucket lies in exactly the bin that counted it, and no recording is lost. */
function assertCovers(bins: Bin[], buckets: HistogramBucket[]): void {
	assert.equal(bins.reduce((sum, bin) => sum + bin.count, 0), buckets.reduce((sum, bucket) => sum + bucket.count, 0));
	for (let index = 1; index < bins.length; index++) {
		assert.equal(bins[index]!.from, bins[index - 1]!.to, 'bins are contiguous');
	}

	for (const bucket of buckets) {
		const bin = bins.find((candidate, index) => bucket.ms >= candidate.from && (bucket.ms < candidate.to || index === bins.length - 1));
		assert.ok(bin && bucket.ms <= bin.to, `${bucket.ms} ms has a bin`);
	}
}

describe('latencyBins', () => {
	test('nothing recorded: no bins', () => {
		assert.deepEqual(latencyBins([]), []);
	});

	test('whole-millisecond latencies get one bin per millisecond', () => {
		const buckets = [{ms: 0, count: 56}, {ms: 1, count: 91}, {ms: 2, count: 3}];
		assert.deepEqual(latencyBins(buckets), [{from: 0, to: 1, count: 56}, {from: 1, to: 2, count: 91}, {from: 2, to: 3, count: 3}]);
	});

	test('a long tail gets geometric bins from 0, at most maxBins of them', () => {
		const buckets = [{ms: 0, count: 2}, {ms: 1.27, count: 5}, {ms: 3, count: 7}, {ms: 400, count: 1}, {ms: 9000, count: 1}];
		const bins = latencyBins(buckets, 40);
		assert.ok(bins.length <= 40, `${bins.length} bins`);
		assert.deepEqual(bins[0], {from: 0, to: 1, count: 2});
		assertCovers(bins, buckets);
	});

	test('random histograms: counts add up and each value lands in its bin', () => {
		const random = mulberry32(7);
		for (let round = 0; round < 200; round++) {
			const values = new Map<number, number>();
			const scale = 10 ** Math.floor(random() * 5 - 1);
			for (let index = 0; index < 1 + Math.floor(random() * 60); index++) {
				const ms = Number((random() ** 3 * scale * 100).toPrecision(3));
				values.set(ms, (values.get(ms) ?? 0) + 1 + Math.floor(random() * 1000));
			}

			const buckets = [...values].sort((a, b) => a[0] - b[0]).map(([ms, count]) => ({ms, count}));
			const bins = latencyBins(buckets, 40);
			assert.ok(bins.length <= 42, `${bins.length} bins for ${JSON.stringify(buckets)}`);
			assertCovers(bins, buckets);
		}
	});
});
