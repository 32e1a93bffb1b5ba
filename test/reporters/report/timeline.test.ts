import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {chartTimeline} from '../../../source/reporters/report/timeline.js';
import {createTimeline} from './factories.js';

describe('chartTimeline', () => {
	test('up to the limit every second is a point', () => {
		const timeline = createTimeline(60);
		assert.deepEqual(chartTimeline(timeline, 60), {points: timeline, secondsPerPoint: 1});
	});

	test('past it, groups of seconds keep the dip, the mean rate, the counters at the end, the worst p99', () => {
		const timeline = createTimeline(60);
		const {points, secondsPerPoint} = chartTimeline(timeline, 20);
		assert.equal(secondsPerPoint, 3);
		assert.equal(points.length, 20);
		const group = timeline.slice(18, 21); // Seconds 19, 20, 21: the dip starts at 20.
		assert.deepEqual(points[6], {
			t: 21,
			open: Math.min(...group.map(point => point.open)),
			messagesPerSec: Number(((group[0]!.messagesPerSec + group[1]!.messagesPerSec + group[2]!.messagesPerSec) / 3).toFixed(2)),
			errors: group[2]!.errors,
			reconnects: group[2]!.reconnects,
			latencyP50: Number(((group[0]!.latencyP50! + group[1]!.latencyP50! + group[2]!.latencyP50!) / 3).toFixed(3)),
			latencyP99: Math.max(...group.map(point => point.latencyP99!)),
		});
		assert.equal(points.at(-1)!.t, 60);
	});

	test('a group where no message carried latency has none', () => {
		const timeline = createTimeline(4).map(point => ({...point, latencyP50: null, latencyP99: null}));
		const {points} = chartTimeline(timeline, 2);
		assert.equal(points[0]!.latencyP50, null);
		assert.equal(points[0]!.latencyP99, null);
	});
});
