import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {UsageError} from '../../source/errors.js';
import {parseThreshold} from '../../source/verdict/threshold-parse.js';

describe('parseThreshold', () => {
	const good: Array<[string, {metric: string; op: string; value: number; kind: string}]> = [
		['p99<250ms', {metric: 'latency.p99', op: '<', value: 250, kind: 'time'}],
		['delivery >= 100%', {metric: 'delivery', op: '>=', value: 100, kind: 'percent'}],
		['delivery>=99.9', {metric: 'delivery', op: '>=', value: 99.9, kind: 'percent'}],
		['connected>=95%', {metric: 'connected', op: '>=', value: 95, kind: 'percent'}],
		['latency.p999 <= 1.5s', {metric: 'latency.p999', op: '<=', value: 1500, kind: 'time'}],
		['max<2s', {metric: 'latency.max', op: '<', value: 2000, kind: 'time'}],
		['p50 < 20', {metric: 'latency.p50', op: '<', value: 20, kind: 'time'}],
		['p90<30ms', {metric: 'latency.p90', op: '<', value: 30, kind: 'time'}],
		['p999<40ms', {metric: 'latency.p999', op: '<', value: 40, kind: 'time'}],
		['fanout.p99<500ms', {metric: 'fanout.p99', op: '<', value: 500, kind: 'time'}],
		['fanout.max<1s', {metric: 'fanout.max', op: '<', value: 1000, kind: 'time'}],
		['connect.p99<100ms', {metric: 'connect.p99', op: '<', value: 100, kind: 'time'}],
		['reconnect.p99<5s', {metric: 'reconnect.p99', op: '<', value: 5000, kind: 'time'}],
		['errors==0', {metric: 'errors', op: '==', value: 0, kind: 'count'}],
		['errors.connect < 3', {metric: 'errors.connect', op: '<', value: 3, kind: 'count'}],
		['errors.content-type==0', {metric: 'errors.content-type', op: '==', value: 0, kind: 'count'}],
		['errors.too-large==0', {metric: 'errors.too-large', op: '==', value: 0, kind: 'count'}],
		['gaps==0', {metric: 'gaps', op: '==', value: 0, kind: 'count'}],
		['duplicates<=2', {metric: 'duplicates', op: '<=', value: 2, kind: 'count'}],
		['resets==0', {metric: 'resets', op: '==', value: 0, kind: 'count'}],
		['reconnects<10', {metric: 'reconnects', op: '<', value: 10, kind: 'count'}],
		['stale==0', {metric: 'stale', op: '==', value: 0, kind: 'count'}],
		['msgs_per_s>100', {metric: 'msgs_per_s', op: '>', value: 100, kind: 'rate'}],
		['  P99 < 250MS  ', {metric: 'latency.p99', op: '<', value: 250, kind: 'time'}],
	];
	for (const [text, expected] of good) {
		test(`"${text}" parses`, () => {
			const threshold = parseThreshold(text);
			assert.deepEqual({metric: threshold.metric, op: threshold.op, value: threshold.value, kind: threshold.kind}, expected);
			assert.equal(threshold.expr, text.trim());
			assert.ok(Object.isFrozen(threshold));
		});
	}

	const bad: Array<[string, RegExp]> = [
		['', /write it as METRIC OP VALUE/],
		['p99', /write it as METRIC OP VALUE/],
		['p98<250ms', /unknown metric "p98"/],
		['latency<250ms', /unknown metric "latency"/],
		['errors.bogus==0', /"bogus" is not an error kind/],
		['p99=250ms', /the operator must be one of < <= > >= ==/],
		['p99!=250ms', /the operator must be one of/],
		['p99<fast', /the value must be a number/],
		['p99<-1ms', /the value must be a number/],
		['p99<250%', /latency\.p99 is a time: give it in ms or s/],
		['delivery>=99ms', /delivery is a percentage/],
		['connected>150%', /percentage from 0 to 100/],
		['errors<5%', /errors is a count: give it without a unit/],
		['gaps<1s', /gaps is a count/],
		['msgs_per_s>10s', /msgs_per_s is a number: give it without a unit/],
		['errors<0', /no errors is ever below 0: did you mean errors==0/],
		['p99<0s', /no latency\.p99 is ever below 0/],
		['p99<250ms extra', /write it as METRIC OP VALUE|the value must be a number/],
	];
	for (const [text, message] of bad) {
		test(`"${text}" is a usage error naming the fix, in one line with the metrics and an example`, () => {
			assert.throws(() => parseThreshold(text), (error: unknown) => {
				assert.ok(error instanceof UsageError);
				assert.match(error.message, message);
				assert.ok(error.message.startsWith(`--threshold "${text}": `), error.message);
				assert.doesNotMatch(error.message, /\n/);
				assert.match(error.message, /metrics: connected, delivery .*errors\.KIND \(connect\|timeout\|.*stale\).*msgs_per_s/);
				assert.match(error.message, /for example --threshold 'p99<250ms'$/);
				return true;
			});
		});
	}
});
