import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {stageAt} from '../../source/shapes/stages.js';

describe('the stage line', () => {
	const stages = [{durationMs: 10_000, target: 100}, {durationMs: 20_000, target: 500}, {durationMs: 10_000, target: 0}];

	test('starts at 0 and moves linearly to each target', () => {
		assert.deepEqual(stageAt(stages, 0), {index: 0, target: 0});
		assert.deepEqual(stageAt(stages, 5000), {index: 0, target: 50});
		assert.deepEqual(stageAt(stages, 10_000), {index: 1, target: 100});
		assert.deepEqual(stageAt(stages, 20_000), {index: 1, target: 300});
		assert.deepEqual(stageAt(stages, 35_000), {index: 2, target: 250});
	});

	test('stays at the last target after the last stage', () => {
		assert.deepEqual(stageAt(stages, 40_000), {index: 3, target: 0});
		assert.deepEqual(stageAt([{durationMs: 1000, target: 7}], 60_000), {index: 1, target: 7});
	});

	test('a zero-length stage jumps', () => {
		assert.deepEqual(stageAt([{durationMs: 0, target: 40}, {durationMs: 1000, target: 40}], 0), {index: 1, target: 40});
	});
});
