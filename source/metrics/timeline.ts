import type {Percentiles} from './histogram.js';
import type {TimelinePoint} from './snapshot.js';

/** A day of seconds: a run longer than that keeps its first day, and says so by the points' t. */
const maxPoints = 86_400;

/**
 * One point per second of the run for the report and `--json`: open clients, messages/s,
 * errors and reconnects so far, and the latency percentiles of that second alone.
 */
export class Timeline {
	readonly points: TimelinePoint[] = [];

	sample(elapsedMs: number, open: number, messagesPerSec: number, totals: {errors: number; reconnects: number}, latency: Percentiles | undefined): void {
		if (this.points.length >= maxPoints) {
			return;
		}

		this.points.push({
			t: Math.round(elapsedMs / 100) / 10,
			open,
			messagesPerSec: Math.round(messagesPerSec),
			errors: totals.errors,
			reconnects: totals.reconnects,
			latencyP50: latency?.p50 ?? null,
			latencyP99: latency?.p99 ?? null,
		});
	}
}
