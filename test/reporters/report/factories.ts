import type {HistogramBucket, Percentiles} from '../../../source/metrics/histogram.js';
import {emptyRow} from '../../../source/metrics/row-table.js';
import type {ClientRow, TimelinePoint} from '../../../source/metrics/snapshot.js';
import type {ReportInput} from '../../../source/reporters/report/input.js';
import type {BroadcastSummary, Summary} from '../../../source/reporters/summary.js';

export const percentiles = (base: number, count = 1000): Percentiles => ({count, min: base / 4, mean: base, p50: base, p90: base * 2, p99: base * 4, p999: base * 6, max: base * 8});

/** A run of `seconds`: clients ramp up, a dip at 20 s, latency rises with load. */
export function createTimeline(seconds = 60, clients = 200): TimelinePoint[] {
	return Array.from({length: seconds}, (_, index) => {
		const t = index + 1;
		const open = Math.min(clients, t * 20) - (t >= 20 && t < 24 ? 30 : 0);
		return {
			t,
			open,
			messagesPerSec: open * 10 + (t % 7) * 13,
			errors: t < 20 ? 0 : Math.min(30, (t - 19) * 8),
			reconnects: t < 21 ? 0 : Math.min(30, (t - 20) * 8),
			latencyP50: t === 30 ? null : 2 + open / 100,
			latencyP99: t === 30 ? null : 8 + open / 20 + (t % 5),
		};
	});
}

export function createBroadcast(count = 20, overrides: Partial<BroadcastSummary> = {}): BroadcastSummary {
	const broadcasts = Array.from({length: count}, (_, index) => ({seq: index + 1, at: 1000 + index * 500, expected: 200, received: index === 7 ? 170 : 200, fanoutMs: index === 7 ? null : 20 + (index % 5) * 9}));
	return {
		runId: 'r-1',
		via: 'redis',
		target: 'dashboard_updates',
		requested: count,
		published: count,
		rate: 2,
		openAtStart: 200,
		settledMs: 812,
		drainMs: 2000,
		expected: count * 200,
		received: count * 200 - 30,
		ratio: (count * 200 - 30) / (count * 200),
		clientsComplete: 170,
		clientsIncomplete: 30,
		minClientRatio: 0.95,
		missing: {total: 30, seqs: [{seq: 8, clients: 30}]},
		duplicates: {total: 2, seqs: [{seq: 3, count: 2}]},
		latencyMs: percentiles(12, count * 200 - 30),
		fanoutMs: percentiles(40, count - 1),
		broadcasts,
		...overrides,
	};
}

/** A full summary: every block filled, as the JSON output of a run with thresholds and a broadcast. */
export function createSummary(overrides: Partial<Summary> = {}): Summary {
	return {
		version: 1,
		target: {url: 'http://localhost:3001/dashboard/stream', protocol: 'sse', mode: null, scenario: 'load'},
		startedAt: '2026-12-03T12:00:00.000Z',
		durationMs: 60_012,
		stoppedBy: 'duration',
		clients: {requested: 200, connected: 198, notStarted: 0, final: {idle: 0, connecting: 0, open: 0, reconnecting: 0, closed: 196, failed: 4}},
		connections: {successful: 228, failedAttempts: 6, active: 0, closed: 196, failed: 4},
		messages: {total: 118_734, perSecond: 1978.48, perClient: 593.67},
		heartbeats: {total: 2400, perSecond: 39.99, perClient: 12},
		errors: {total: 36, byKind: {connect: 6, stream: 30}},
		reconnects: 30,
		bytes: 45_123_456,
		connectMs: percentiles(3, 228),
		latencyMs: percentiles(4.2, 118_734),
		latency: {field: 'sent_at', measured: 118_734, missing: 0},
		reconnectMs: percentiles(3100, 30),
		delivery: {
			accountedClients: 198,
			unaccountedClients: 0,
			sources: {seq: 198, field: 0, id: 0, streamId: 0},
			expected: 118_800,
			received: 118_734,
			ratio: 118_734 / 118_800,
			gaps: 66,
			duplicates: 3,
			outOfOrder: 1,
			resets: 0,
			unsequenced: 0,
			reconnects: {resumed: 28, notResumed: 2},
			foreign: 0,
		},
		broadcast: createBroadcast(),
		thresholds: [
			{expr: 'p99<200ms', metric: 'latency.p99', value: 16.8, passed: true},
			{expr: 'errors==0', metric: 'errors', value: 36, passed: false},
		],
		timeline: createTimeline(),
		server: null,
		buffered: null,
		streams: null,
		transport: null,
		...overrides,
	};
}

export function createRow(id: number, overrides: Partial<ClientRow> = {}): ClientRow {
	return {...emptyRow(id), state: 'closed', messages: 600, heartbeats: 12, errors: 0, reconnects: 0, connects: 1, bytes: 228_000, lastEventId: String(600 + id), lastMessageAt: 59_950, lastHeartbeatAt: 59_000, connectMs: 2.5 + id / 100, latencyMs: 3.1, lastError: '', ...overrides};
}

export const latencyBuckets: HistogramBucket[] = [{ms: 0, count: 10}, {ms: 1, count: 300}, {ms: 2, count: 5000}, {ms: 3, count: 40_000}, {ms: 4, count: 50_000}, {ms: 5, count: 20_000}, {ms: 8, count: 3000}, {ms: 16, count: 400}, {ms: 33, count: 24}];

export function createInput(overrides: Partial<ReportInput> = {}): ReportInput {
	return {
		summary: createSummary(),
		rows: Array.from({length: 12}, (_, index) => createRow(index + 1, index % 5 === 4 ? {state: 'failed', errors: 3, reconnects: 3, lastError: 'stream ended: socket hang up'} : {})),
		latencyBuckets,
		headers: {'x-trace': 'abc', authorization: '<redacted>'},
		version: '9.9.9',
		generatedAt: new Date('2026-12-03T12:01:01.000Z'),
		...overrides,
	};
}
