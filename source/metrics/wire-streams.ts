import {streamOutcomes, type StreamOutcome} from '../engine/request-stream.js';
import type {StreamStats} from './streams.js';
import {addDrained, drain, type WireHistogram} from './wire-histogram.js';

/** StreamStats' histograms, by field name. */
export const streamHistograms = ['headers', 'ttfe', 'gap', 'duration', 'events', 'eventRate', 'byteRate'] as const;
export type StreamHistogram = typeof streamHistograms[number];

/**
 * The request streams' part of a wire message (source/metrics/streams.ts), when the run has
 * request streams: `requests` and `outcomes` CUMULATIVE like the totals, the seven histograms
 * DELTAS like the others (headers, ttfe, gap, duration: ms; events: per stream; eventRate:
 * events/s; byteRate: kB/s), null when nothing was recorded since the previous message.
 */
export type WireStreams = {
	requests: number;
	outcomes: Record<StreamOutcome, number>;
	histograms: Record<StreamHistogram, WireHistogram | null>;
};

/** The producer's side: counts as they are, histograms drained. */
export function streamsToWire(stats: StreamStats): WireStreams {
	const histograms = {} as WireStreams['histograms'];
	for (const name of streamHistograms) {
		histograms[name] = drain(stats[name]);
	}

	return {requests: stats.requests, outcomes: {...stats.outcomes}, histograms};
}

/** The receiver's side: counts add their difference from the source's previous message, histograms add. */
export function mergeStreams(stats: StreamStats, message: WireStreams, previous: WireStreams | undefined): void {
	stats.requests += message.requests - (previous?.requests ?? 0);
	for (const outcome of streamOutcomes) {
		stats.outcomes[outcome] += message.outcomes[outcome] - (previous?.outcomes[outcome] ?? 0);
	}

	for (const name of streamHistograms) {
		addDrained(stats[name], message.histograms[name]);
	}
}

/** What a receiver keeps of a source's last message: the counts, no deltas. */
export function streamCounts(message: WireStreams): WireStreams {
	const histograms = {} as WireStreams['histograms'];
	for (const name of streamHistograms) {
		histograms[name] = null;
	}

	return {requests: message.requests, outcomes: {...message.outcomes}, histograms};
}
