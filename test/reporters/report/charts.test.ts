import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {barChart, emptyChart, lineChart, niceStep, niceTicks, timeTicks} from '../../../source/reporters/report/charts.js';

const attribute = (svg: string, name: string) => [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map(match => match[1]!);

describe('chart builders', () => {
	test('niceStep rounds up to 1, 2 or 5 times a power of ten', () => {
		assert.deepEqual([0.07, 0.3, 1, 1.5, 3, 7, 42, 0].map(value => niceStep(value)), [0.1, 0.5, 1, 2, 5, 10, 50, 1]);
	});

	test('niceTicks start at 0, reach the maximum, and stay whole for counts', () => {
		assert.deepEqual(niceTicks(0, 200), [0, 50, 100, 150, 200]);
		assert.deepEqual(niceTicks(0, 7.3), [0, 2, 4, 6, 8]);
		assert.deepEqual(niceTicks(0, 3, {integer: true}), [0, 1, 2, 3]);
		assert.deepEqual(niceTicks(0, 0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
		assert.ok(niceTicks(0, 0.3).every(tick => Number.isFinite(tick)));
	});

	test('timeTicks step in seconds a reader counts in', () => {
		assert.deepEqual(timeTicks(1, 60), [10, 20, 30, 40, 50, 60]);
		assert.deepEqual(timeTicks(1, 3), [1, 2, 3]);
		assert.deepEqual(timeTicks(0, 3600), [0, 600, 1200, 1800, 2400, 3000, 3600]);
	});

	test('a line chart has one path per series, a null value splits its line, and every point is inside the plot', () => {
		const svg = lineChart({
			id: 'latency',
			label: 'Latency',
			x: [1, 2, 3, 4, 5],
			series: [{name: 'p50', color: '#00f', values: [1, 2, null, 4, 5]}, {name: 'p99', color: '#f00', values: [3, 4, 5, 6, 9]}],
			formatY: String,
		});
		assert.match(svg, /^<svg class="chart" viewBox="0 0 560 220" role="img" aria-label="Latency" data-chart="latency" data-points="5">/);
		assert.deepEqual(attribute(svg, 'data-series'), ['p50', 'p99']);
		assert.deepEqual(attribute(svg, 'data-points'), ['5', '4', '5']);
		const paths = attribute(svg, ' d');
		assert.equal(paths[0]!.split('M').length - 1, 2, 'the gap starts a second segment');
		assert.equal(paths[1]!.split('M').length - 1, 1);
		for (const [x, y] of paths.flatMap(d => d.split(/[ML]/).filter(Boolean)).map(point => point.split(',').map(Number))) {
			assert.ok(x! >= 58 && x! <= 544 && y! >= 14 && y! <= 190, `${x},${y} lies outside the plot area`);
		}
	});

	test('a line chart puts the largest value at the top tick and 0 on the axis', () => {
		const svg = lineChart({id: 'open', label: 'Open', x: [1, 2], series: [{name: 'open', color: '#00f', values: [0, 200]}], formatY: String, integerY: true});
		assert.equal(attribute(svg, ' d')[0], 'M58,190L544,14');
		assert.deepEqual([...svg.matchAll(/<text class="tick"[^>]*text-anchor="end"[^>]*>([^<]*)</g)].map(match => match[1]), ['0', '50', '100', '150', '200']);
	});

	test('a line of 300,000 points is drawn (no spread of every value into one call)', () => {
		const x = Array.from({length: 300_000}, (_, index) => index + 1);
		const svg = lineChart({id: 'long', label: 'Long', x, series: [{name: 'open', color: '#00f', values: x.map(value => value % 7)}], formatY: String});
		assert.match(svg, /data-points="300000"/);
	});

	test('each second of a short line chart has a hover column naming every series\' value', () => {
		const svg = lineChart({id: 'l', label: 'L', x: [1, 2, 3], series: [{name: 'p50', color: '#00f', values: [1, null, 3]}, {name: '<p99>', color: '#f00', values: [2, 4, 6]}], formatY: value => `${value} ms`});
		const titles = [...svg.matchAll(/<g class="hover">([\s\S]*?)<\/g>/g)].flatMap(match => [...match[1]!.matchAll(/<title>([^<]*)<\/title>/g)].map(title => title[1]));
		assert.deepEqual(titles, ['1s\np50: 1 ms\n&lt;p99&gt;: 2 ms', '2s\np50: –\n&lt;p99&gt;: 4 ms', '3s\np50: 3 ms\n&lt;p99&gt;: 6 ms']);
		const long = Array.from({length: 301}, (_, index) => index);
		assert.doesNotMatch(lineChart({id: 'l', label: 'L', x: long, series: [{name: 'a', color: '#00f', values: long}], formatY: String}), /class="hover"/);
	});

	test('a single point is drawn in the middle, with a dot', () => {
		const svg = lineChart({id: 'one', label: 'One', x: [1], series: [{name: 'open', color: '#00f', values: [5]}], formatY: String});
		assert.match(svg, /<circle cx="301" /);
	});

	test('bars are as tall as their values, carry their data, and hostile labels are escaped', () => {
		const svg = barChart({
			id: 'histogram',
			label: 'Histogram',
			color: '#00f',
			formatY: String,
			bars: [{value: 10, label: '<b>', title: '</title><script>', data: {count: 10}}, {value: 5, label: '1', title: 'x', data: {count: 5}}],
		});
		assert.deepEqual(attribute(svg, 'data-count'), ['10', '5']);
		const heights = attribute(svg, 'height').map(Number);
		assert.equal(heights[0], 176, 'the tallest bar reaches the top tick (10)');
		assert.equal(heights[1], 88);
		assert.ok(!svg.includes('<script>') && !svg.includes('<b>'));
		assert.match(svg, /&lt;\/title&gt;&lt;script&gt;/);
	});

	test('an empty chart says why, and is marked empty', () => {
		assert.equal(emptyChart('fanout', 'No <broadcast>'), '<div class="chart-empty" data-chart="fanout" data-empty="true">No &lt;broadcast&gt;</div>');
	});
});
