import type {HistogramBucket} from '../../metrics/histogram.js';
import {niceStep} from './charts.js';

/** A bar of the latency histogram: recordings with from <= ms < to (the last bin includes `to`). */
export type Bin = {from: number; to: number; count: number};

/** Above this max/min ratio the bins grow geometrically, so a long tail does not squash the body into one bar. */
const logAbove = 50;

/**
 * The histogram's recorded sub-buckets gathered into at most `maxBins` display bins with
 * readable edges. Linear bins are never finer than the gap between neighbouring recorded
 * values (whole-millisecond latencies get one bar per millisecond, not empty slivers).
 */
export function latencyBins(buckets: readonly HistogramBucket[], maxBins = 40): Bin[] {
	const recorded = buckets.filter(bucket => bucket.count > 0);
	const first = recorded[0];
	const last = recorded.at(-1);
	if (first === undefined || last === undefined) {
		return [];
	}

	const lowestPositive = recorded.find(bucket => bucket.ms > 0)?.ms ?? last.ms;
	const edges = lowestPositive > 0 && last.ms / lowestPositive > logAbove
		? logEdges(lowestPositive, first.ms, last.ms, maxBins)
		: linearEdges(recorded, maxBins);

	const bins: Bin[] = edges.slice(0, -1).map((from, index) => ({from, to: edges[index + 1]!, count: 0}));
	let index = 0;
	for (const bucket of recorded) {
		while (index < bins.length - 1 && bucket.ms >= bins[index]!.to) {
			index++;
		}

		bins[index]!.count += bucket.count;
	}

	return bins;
}

function linearEdges(recorded: readonly HistogramBucket[], maxBins: number): number[] {
	const low = recorded[0]!.ms;
	const high = recorded.at(-1)!.ms;
	let smallestGap = Number.POSITIVE_INFINITY;
	for (let index = 1; index < recorded.length; index++) {
		smallestGap = Math.min(smallestGap, recorded[index]!.ms - recorded[index - 1]!.ms);
	}

	const step = Math.max(niceStep((high - low) / maxBins), niceStep(Number.isFinite(smallestGap) ? smallestGap : 1));
	const edges = [Math.floor(low / step) * step];
	while (edges.at(-1)! <= high) {
		edges.push(Number((edges.at(-1)! + step).toPrecision(12)));
	}

	return edges;
}

/** Two significant digits: 1, 1.3, 1.6, 2, 2.5 ... at ten bins a decade. */
const logEdge = (index: number, perDecade: number) => Number((10 ** (index / perDecade)).toPrecision(2));

/** Geometric edges (10, 5, 3, 2 or 1 a decade, the finest that fits); a bin from 0 holds any 0 ms recordings. */
function logEdges(lowestPositive: number, lowest: number, high: number, maxBins: number): number[] {
	const decades = Math.log10(high / lowestPositive) + 1;
	const perDecade = [10, 5, 3, 2, 1].find(count => decades * count <= maxBins) ?? 1;
	let index = Math.floor(Math.log10(lowestPositive) * perDecade);
	while (logEdge(index, perDecade) > lowestPositive) {
		index--;
	}

	const edges = lowest < logEdge(index, perDecade) ? [0] : [];
	for (;; index++) {
		const edge = logEdge(index, perDecade);
		edges.push(edge);
		if (edge > high) {
			return edges;
		}
	}
}
