import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {parseTarget} from '../../source/compare/config.js';
import {checkCompareLimits, globalId, targetOf} from '../../source/compare/whole-run.js';
import {resolveConfig} from '../../source/config.js';
import {UsageError} from '../../source/errors.js';

const two = ['rails=http://127.0.0.1:3000/dashboard/stream', 'cable=ws://127.0.0.1:3000/cable'];

describe('--target NAME=URL[,key=value…]', () => {
	test('the protocol comes from the scheme; ws-mode, channel and origin per target; every run flag applies to each', () => {
		const config = resolveConfig({target: [...two, 'raw=ws://127.0.0.1:3001/ws,ws-mode=raw', 'up=http://127.0.0.1:3002/cable,protocol=websocket,channel=Other,origin=http://app.test'], clients: '7', duration: '5s', ramp: '700ms'});
		const targets = config.compare!.targets;
		assert.deepEqual(targets.map(target => target.name), ['rails', 'cable', 'raw', 'up']);
		assert.deepEqual(targets.map(target => [target.config.protocol, target.config.ws?.mode ?? null]), [['sse', null], ['websocket', 'cable'], ['websocket', 'raw'], ['websocket', 'cable']]);
		assert.equal(targets[3]!.config.url, 'ws://127.0.0.1:3002/cable', 'http upgraded for protocol=websocket');
		assert.equal(targets[3]!.config.ws?.channel, 'Other');
		assert.equal(targets[3]!.config.ws?.origin, 'http://app.test');
		assert.equal(targets[1]!.config.ws?.origin, 'http://127.0.0.1:3000');
		for (const {config: own} of targets) {
			assert.deepEqual([own.clients, own.durationMs, own.startIntervalMs], [7, 5000, 100]);
		}

		assert.equal(config.clients, 7, 'clients per target');
		assert.equal(config.url, targets[0]!.config.url);
	});

	test('a comma in the URL must be %2C: what follows a comma is an option', () => {
		assert.deepEqual(parseTarget('a=http://h/s?x=1%2C2,ws-mode=raw'), {name: 'a', url: 'http://h/s?x=1%2C2', options: {'ws-mode': 'raw'}});
		assert.throws(() => parseTarget('a=http://h/s?x=1,2'), /--target a: unknown option "2"/);
	});

	test('one run id for every target; --publish shared, --trigger one for all or NAME=URL each', () => {
		const shared = resolveConfig({target: two, scenario: 'broadcast', publish: 'redis://127.0.0.1:6379'});
		const [a, b] = shared.compare!.targets;
		assert.equal(a!.config.broadcast!.runId, b!.config.broadcast!.runId);
		assert.deepEqual(a!.config.broadcast!.target, b!.config.broadcast!.target);

		const one = resolveConfig({target: two, scenario: 'broadcast', trigger: ['http://127.0.0.1:3001']});
		assert.deepEqual(one.compare!.targets.map(target => target.config.broadcast!.target), [
			{kind: 'http', url: 'http://127.0.0.1:3001/dashboard/trigger-test'}, {kind: 'http', url: 'http://127.0.0.1:3001/dashboard/trigger-test'},
		]);

		const each = resolveConfig({target: two, scenario: 'broadcast', trigger: ['cable=http://127.0.0.1:3002', 'rails=http://127.0.0.1:3001']});
		assert.deepEqual(each.compare!.targets.map(target => target.config.broadcast!.target), [
			{kind: 'http', url: 'http://127.0.0.1:3001/dashboard/trigger-test'}, {kind: 'http', url: 'http://127.0.0.1:3002/dashboard/trigger-test'},
		]);
		assert.throws(() => resolveConfig({target: two, scenario: 'broadcast', trigger: ['rails=http://127.0.0.1:3001', 'http://127.0.0.1:3002']}), /one URL for every target, or NAME=URL once for each target \(rails, cable\)/);
	});

	test('thresholds: NAME: for one target, none for every target, each listed as NAME:expr', () => {
		const config = resolveConfig({target: two, threshold: ['rails:p99<300ms', 'errors==0']});
		assert.deepEqual(config.compare!.thresholds.map(list => list.map(item => item.expr)), [['rails:p99<300ms', 'rails:errors==0'], ['cable:errors==0']]);
		assert.deepEqual(config.thresholds.map(item => item.expr), ['rails:p99<300ms', 'rails:errors==0', 'cable:errors==0']);
		assert.equal(config.compare!.thresholds[0]![0]!.metric, 'latency.p99');
		assert.equal(config.compare!.targets[0]!.config.thresholds, config.compare!.thresholds[0]);
		assert.throws(() => resolveConfig({target: two, threshold: ['rails:p99<<3']}), /--threshold "p99<<3"/);
		assert.throws(() => resolveConfig({target: two, abortOnFail: true}), /--abort-on-fail needs at least one --threshold/);
	});

	test('the per-target rules name the target: --target NAME: …', () => {
		assert.throws(() => resolveConfig({target: ['a=http://h/s', 'b=ws://h/ws,ws-mode=x']}), (error: unknown) => error instanceof UsageError && /^--target b: --ws-mode must be one of/.test(error.message));
		assert.throws(() => resolveConfig({target: ['a=http://h/s', 'b=http://h/s', 'c=http://h/s', 'd=http://h/s', 'e=http://h/s']}), /compares 2 to 4 targets \(got 5\)/);
		assert.throws(() => resolveConfig({target: two, watchRedis: 'redis://127.0.0.1:6379'}), /--watch-redis watches one server and cannot be used with --target yet/);
		assert.throws(() => resolveConfig({target: two, stages: '1s:10'}), /--stages steers one pool of clients/);
	});

	test('client ids interleave the targets, so each can grow', () => {
		assert.deepEqual([1, 2, 3].flatMap(local => [0, 1, 2].map(index => globalId(local, index, 3))), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
		assert.deepEqual([1, 2, 3, 4, 5, 6].map(id => targetOf(id, 2)), [0, 1, 0, 1, 0, 1]);
	});

	test('every target\'s clients must fit one process\'s open files together', () => {
		const config = resolveConfig({target: two, clients: '6000'});
		assert.throws(() => checkCompareLimits(config, {limit: 11_000, cores: 2}), /--target runs 2 x 6000 = 12000 clients in one process.*lower --clients to 5000/);
		checkCompareLimits(config, {limit: 14_000, cores: 2});
	});
});
