import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig, type RunFlags} from '../../source/config.js';
import {UsageError} from '../../source/errors.js';
import {parseLocalAddresses, parseRate, parseStages} from '../../source/shapes/config-shapes.js';

describe('load shape flags', () => {
	test('rates: per second by default, /s and /m, fractions', () => {
		assert.equal(parseRate('100', '--connect-rate'), 100);
		assert.equal(parseRate('100/s', '--connect-rate'), 100);
		assert.equal(parseRate('600/m', '--connect-rate'), 10);
		assert.equal(parseRate('0.5/s', '--connect-rate'), 0.5);
		for (const bad of ['0', '0/s', 'fast', '-5', '10/h', '']) {
			assert.throws(() => parseRate(bad, '--connect-rate'), /--connect-rate must be a rate like 100\/s/, bad);
		}
	});

	test('stages read as k6 writes them; zero-length stages allowed, bad ones named', () => {
		assert.deepEqual(parseStages('30s:1000,1m:5000,30s:0'), [
			{durationMs: 30_000, target: 1000},
			{durationMs: 60_000, target: 5000},
			{durationMs: 30_000, target: 0},
		]);
		assert.deepEqual(parseStages('0s:10'), [{durationMs: 0, target: 10}]);
		assert.throws(() => parseStages('30s'), /--stages takes duration:clients pairs.*got "30s"/);
		assert.throws(() => parseStages('30s:-1'), /client count must be a whole number/);
		assert.throws(() => parseStages('soon:10'), /must be a duration/);
	});

	test('local addresses are IP literals, comma-separated', () => {
		assert.deepEqual(parseLocalAddresses('127.0.0.2, 127.0.0.3'), ['127.0.0.2', '127.0.0.3']);
		assert.deepEqual(parseLocalAddresses('::1'), ['::1']);
		assert.deepEqual(parseLocalAddresses(undefined), []);
		assert.throws(() => parseLocalAddresses('localhost'), /--local-address takes IP addresses.*got "localhost"/);
		assert.throws(() => parseLocalAddresses('127.0.0.256'), /got "127.0.0.256"/);
		assert.throws(() => parseLocalAddresses(','), /needs one or more IP addresses/);
	});

	test('--connect-rate sets the gap between starts; --stages sets clients (the peak), the duration (the total) and starts at once', () => {
		assert.equal(resolveConfig({connectRate: '200/s', clients: '10'}).startIntervalMs, 5);
		const staged = resolveConfig({stages: '10s:50,20s:200,5s:0'});
		assert.equal(staged.clients, 200);
		assert.equal(staged.durationMs, 35_000);
		assert.equal(staged.startIntervalMs, 0);
		assert.equal(resolveConfig({stages: '10s:50', duration: '1m'}).durationMs, 60_000);
		assert.equal(resolveConfig({stages: '10s:50', connectRate: '20'}).startIntervalMs, 50);
	});

	test('the scenarios hold, churn and storm: presets and their own flags', () => {
		for (const scenario of ['hold', 'churn', 'storm']) {
			assert.equal(resolveConfig({scenario}).clients, 100);
		}

		assert.equal(resolveConfig({scenario: 'churn'}).shape.churnRate, 1);
		assert.equal(resolveConfig({scenario: 'churn', churnRate: '25/s'}).shape.churnRate, 25);
		assert.equal(resolveConfig({scenario: 'storm', stormAt: '30s'}).shape.stormAtMs, 30_000);
		assert.equal(resolveConfig({scenario: 'storm'}).shape.stormAtMs, undefined);
		assert.deepEqual(resolveConfig({localAddress: '127.0.0.2,127.0.0.3'}).shape.localAddresses, ['127.0.0.2', '127.0.0.3']);
	});

	const mistakes: Array<[string, RunFlags, RegExp]> = [
		['--ramp and --connect-rate', {ramp: '10s', connectRate: '10/s'}, /--connect-rate and --ramp both set how clients start: give one of them/],
		['--stages and --clients', {stages: '10s:5', clients: '5'}, /--stages sets the client count over time: leave out --clients/],
		['--stages on hold', {stages: '10s:5', scenario: 'hold'}, /--stages cannot shape --scenario hold/],
		['--stages all zero', {stages: '10s:0'}, /at least one stage with clients above 0/],
		['--churn-rate without churn', {churnRate: '5'}, /--churn-rate applies to --scenario churn/],
		['--storm-at without storm', {stormAt: '5s'}, /--storm-at applies to --scenario storm/],
		['--storm-at 0', {scenario: 'storm', stormAt: '0'}, /--storm-at must be greater than zero/],
		['--local-address with a name', {localAddress: 'example.test'}, /--local-address takes IP addresses/],
	];
	for (const [name, flags, message] of mistakes) {
		test(`usage error: ${name}`, () => {
			assert.throws(() => resolveConfig(flags), (error: unknown) => error instanceof UsageError && message.test(error.message));
		});
	}
});
