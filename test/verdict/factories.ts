import {resolveConfig} from '../../source/config.js';
import type {Percentiles} from '../../source/metrics/histogram.js';
import {buildSummary, type BroadcastSummary, type Summary} from '../../source/reporters/summary.js';
import {createSnapshot} from '../ui/factories.js';

/** A finished run's summary (2 clients asked, both connected, nothing else), with `overrides` on top. */
export function createSummary(overrides: Partial<Summary> = {}): Summary {
	const base = buildSummary(createSnapshot({clients: 2, totals: {clientsConnected: 2, connects: 2}}), resolveConfig({clients: '2'}), {startedAt: new Date(0), stoppedBy: 'duration'});
	return {...base, ...overrides};
}

export function createPercentiles(overrides: Partial<Percentiles> = {}): Percentiles {
	return {count: 10, min: 1, mean: 5, p50: 5, p90: 9, p99: 10, p999: 11, max: 12, ...overrides};
}

export function createBroadcast(overrides: Partial<BroadcastSummary> = {}): BroadcastSummary {
	return {
		runId: 'r1',
		via: 'redis',
		target: 'updates',
		requested: 10,
		published: 10,
		rate: 0,
		openAtStart: 2,
		settledMs: 100,
		drainMs: 1000,
		expected: 20,
		received: 20,
		ratio: 1,
		clientsComplete: 2,
		clientsIncomplete: 0,
		minClientRatio: 1,
		missing: {total: 0, seqs: []},
		duplicates: {total: 0, seqs: []},
		latencyMs: null,
		fanoutMs: null,
		broadcasts: [],
		...overrides,
	};
}
