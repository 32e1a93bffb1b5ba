import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {percentiles} from '../../source/reporters/text.js';
import {shapeLines} from '../../source/shapes/shape-text.js';

describe('the load shape summary lines', () => {
	test('hold: held connections, heartbeats, stale, memory per connection', () => {
		const lines = shapeLines({
			hold: {connectAllMs: 1200, heldMs: 60_000, openAtEnd: 1000, heartbeats: 2000, heartbeatIntervalMs: 30_000, stale: 3},
			memory: {rssBytes: 200 * 1024 * 1024, baselineBytes: 100 * 1024 * 1024, connections: 1000, perConnectionBytes: 104_858},
		}, percentiles);
		assert.deepEqual(lines, [
			'Hold:             1000 open at the end, held 60000ms, all connected after 1200ms; heartbeats 2000 (every 30000ms per client), stale 3',
			'Memory:           RSS 200.0 MiB (100.0 MiB before connecting) for 1000 connections: 102.4 KiB per connection',
		]);
	});

	test('storm: time to 50/99/100 % back, failures by kind, what was lost; none seen says so', () => {
		const lines = shapeLines({storm: {
			trigger: 'server-restart', atMs: 5000, dropped: 100, back: 99,
			backMs: {p50: 3000, p99: 3500, p100: null},
			recoveryMs: {count: 99, min: 2900, mean: 3100, p50: 3000, p90: 3300, p99: 3500, p999: 3500, max: 3500},
			failedAttempts: {total: 4, byKind: {connect: 4}},
			lost: {gaps: 12, notResumed: 100},
		}}, percentiles);
		assert.match(lines[0]!, /server restart seen, 100 clients at 5000ms; back 99: 50 % after 3000ms, 99 % after 3500ms, all after not reached/);
		assert.match(lines[1]!, /failed attempts 4 \(connect 4\); lost 12 messages, 100 reconnects not resumed/);
		const none = shapeLines({storm: {trigger: null, atMs: null, dropped: 0, back: 0, backMs: {p50: null, p99: null, p100: null}, recoveryMs: null, failedAttempts: {total: 0, byKind: {}}, lost: {gaps: 0, notResumed: 0}}}, percentiles);
		assert.match(none[0]!, /Storm: +none seen/);
	});

	test('churn and stages; nothing without a shape', () => {
		assert.match(shapeLines({churn: {rate: 5, closed: 50, reopened: 49, failed: 1, connectMs: null}}, percentiles)[0]!, /Churn: +50 closed, 49 reopened, 1 failed attempts \(asked 5\/s\)/);
		assert.match(shapeLines({stages: {stages: [{durationMs: 1000, target: 10}], peakOpen: 10}}, percentiles)[0]!, /Stages: +1000ms:10; peak 10 open/);
		assert.deepEqual(shapeLines({}, percentiles), []);
	});
});
