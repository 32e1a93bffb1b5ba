import type {TimelinePoint} from '../../metrics/snapshot.js';

/** Past this many seconds the charts draw one point per group of seconds (a plot is ~490 px wide; a day is 86,400 s). */
export const maxChartPoints = 1200;

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * The timeline as the charts draw it: as is up to `max` points, else consecutive seconds in
 * equal groups, each keeping what a reader looks for: the lowest open count (a dip), the mean
 * rate, the cumulative counters at the group's end, the mean p50 and the highest p99.
 */
export function chartTimeline(points: readonly TimelinePoint[], max = maxChartPoints): {points: TimelinePoint[]; secondsPerPoint: number} {
	if (points.length <= max) {
		return {points: [...points], secondsPerPoint: 1};
	}

	const size = Math.ceil(points.length / max);
	const grouped: TimelinePoint[] = [];
	for (let start = 0; start < points.length; start += size) {
		const group = points.slice(start, start + size);
		const last = group.at(-1)!;
		const p50 = group.map(point => point.latencyP50).filter((value): value is number => value !== null);
		const p99 = group.map(point => point.latencyP99).filter((value): value is number => value !== null);
		grouped.push({
			t: last.t,
			open: group.reduce((low, point) => Math.min(low, point.open), Number.POSITIVE_INFINITY),
			messagesPerSec: Number(mean(group.map(point => point.messagesPerSec)).toFixed(2)),
			errors: last.errors,
			reconnects: last.reconnects,
			latencyP50: p50.length > 0 ? Number(mean(p50).toFixed(3)) : null,
			latencyP99: p99.length > 0 ? p99.reduce((high, value) => Math.max(high, value)) : null,
		});
	}

	return {points: grouped, secondsPerPoint: size};
}
