import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveServeOptions} from '../server/cli.js';
import {resolveServerOptions} from '../server/options.js';
import {resolvePublishOptions} from '../server/publish-options.js';
import {resolveConfig} from '../source/config.js';
import {UsageError} from '../source/errors.js';
import {maxTimerMs, parseDuration} from '../source/units.js';

describe('parseDuration', () => {
	test('the timer limit itself is accepted, one millisecond more is refused with the limit named', () => {
		assert.equal(parseDuration(`${maxTimerMs}ms`, '--x'), 2_147_483_647);
		assert.throws(() => parseDuration(`${maxTimerMs + 1}ms`, '--x'), (error: unknown) =>
			error instanceof UsageError && /^--x must be at most 2147483647ms \(about 24\.8 days/.test(error.message));
	});
});

/**
 * Every duration flag of the three commands, each given a value past the timer limit. A flag
 * whose value reaches setTimeout/setInterval unchecked would fire after 1 ms instead.
 */
const durationFlags: Array<[command: string, flag: string, resolve: (value: string) => unknown]> = [
	['sse-tui', '--duration', value => resolveConfig({duration: value})],
	['sse-tui', '--ramp', value => resolveConfig({ramp: value, clients: '2'})],
	['sse-tui', '--timeout', value => resolveConfig({timeout: value})],
	['sse-tui', '--stats-interval', value => resolveConfig({statsInterval: value})],
	['sse-tui', '--retry', value => resolveConfig({retry: value})],
	['sse-tui', '--min-retry', value => resolveConfig({minRetry: value})],
	['sse-tui', '--max-backoff', value => resolveConfig({maxBackoff: value})],
	['sse-tui', '--perform-every', value => resolveConfig({protocol: 'websocket', perform: 'speak', performEvery: value})],
	['sse-tui', '--ping-interval', value => resolveConfig({protocol: 'websocket', pingInterval: value})],
	['sse-tui', '--pong-timeout', value => resolveConfig({protocol: 'websocket', pongTimeout: value})],
	['sse-tui serve', '--heartbeat', value => resolveServeOptions({heartbeat: value}, {})],
	['sse-tui serve', '--interval', value => resolveServeOptions({interval: value}, {})],
	['sse-tui serve', '--cable-ping', value => resolveServeOptions({cablePing: value}, {})],
	['sse-tui publish', '--timeout', value => resolvePublishOptions({timeout: value}, [], {})],
];

describe('every duration flag stops at the timer limit', () => {
	for (const [command, flag, resolve] of durationFlags) {
		test(`${command} ${flag} 1000h is a usage error naming the limit; 24h is fine`, () => {
			assert.throws(() => resolve('1000h'), (error: unknown) =>
				error instanceof UsageError && error.message.startsWith(`${flag} must be at most 2147483647ms`));
			assert.doesNotThrow(() => resolve('24h'));
		});
	}

	test('the server API refuses timer options past the limit (programmer error)', () => {
		for (const key of ['heartbeatMs', 'intervalMs', 'cablePingMs', 'requestTimeoutMs', 'shutdownGraceMs', 'redisMaxBackoffMs'] as const) {
			assert.throws(() => resolveServerOptions({[key]: maxTimerMs + 1}), RangeError, key);
			assert.doesNotThrow(() => resolveServerOptions({[key]: maxTimerMs}), key);
		}
	});
});
