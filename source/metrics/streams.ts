import {streamOutcomes, type StreamOutcome} from '../engine/request-stream.js';
import type {Column} from './columns.js';
import {DurationHistogram, type Percentiles} from './histogram.js';

/**
 * Request streams, measured (--method, --body, --until-data, --then …): time to headers, time to
 * first event (TTFE, from the request's start), the time between events, each stream's length,
 * events and bytes per second while it ran, and how it ended. The store calls it only when the
 * run has request streams, so a long-lived GET stream pays nothing for it.
 */
export type StreamSummary = {
	/** requests started */
	requests: number;
	/** streams over (every outcome) */
	ended: number;
	/** requests still running when the summary was taken */
	inFlight: number;
	/** ended by the marker, or by the server cleanly when no marker was asked for */
	completed: number;
	/** completed / ended (0..1); null before any stream ended */
	completedRatio: number | null;
	outcomes: Record<StreamOutcome, number>;
	/** request -> response headers */
	headersMs: Percentiles | null;
	/** request -> first event */
	ttfeMs: Percentiles | null;
	/** between two events of one stream */
	gapMs: Percentiles | null;
	/** request -> end, over streams that ended */
	streamMs: Percentiles | null;
	/** per stream that ended: events, events per second, bytes per second (from its request to its end) */
	eventsPerStream: Percentiles | null;
	eventsPerSec: Percentiles | null;
	bytesPerSec: Percentiles | null;
};

/** Counts and rates share DurationHistogram (whole thousandths, 3 significant digits) and read back as plain numbers. */
export class StreamStats {
	readonly headers = new DurationHistogram();
	readonly ttfe = new DurationHistogram();
	readonly gap = new DurationHistogram();
	readonly duration = new DurationHistogram();
	readonly events = new DurationHistogram();
	readonly eventRate = new DurationHistogram();
	readonly byteRate = new DurationHistogram();
	readonly outcomes: Record<StreamOutcome, number> = {marker: 0, clean: 0, cut: 0, error: 0, timeout: 0};
	requests = 0;
	#startBytes = new Float64Array(0);

	constructor(private columns: Record<Column, Float64Array>) {}

	/** The store grew its columns: use the new ones. */
	useColumns(columns: Record<Column, Float64Array>): void {
		this.columns = columns;
		if (this.#startBytes.length < columns.bytes.length) {
			const next = new Float64Array(columns.bytes.length);
			next.set(this.#startBytes);
			this.#startBytes = next;
		}
	}

	started(id: number, now: number): void {
		this.requests++;
		this.columns.streamStartAt[id] = now;
		this.columns.streamEvents[id] = 0;
		this.#startBytes[id] = this.columns.bytes[id]!;
	}

	opened(connectMs: number): void {
		this.headers.record(connectMs);
	}

	/** An event at `now`; `previousAt` is the client's last message time before it. */
	event(id: number, now: number, previousAt: number): void {
		const {columns} = this;
		const start = columns.streamStartAt[id]!;
		if (start < 0) {
			return;
		}

		const count = ++columns.streamEvents[id]!;
		if (count === 1) {
			const ttfe = now - start;
			columns.ttfeMs[id] = ttfe;
			this.ttfe.record(ttfe);
		} else if (previousAt >= 0) {
			this.gap.record(now - previousAt);
		}
	}

	ended(id: number, outcome: StreamOutcome, events: number, durationMs: number): void {
		const {columns} = this;
		this.outcomes[outcome]++;
		columns.streams[id]!++;
		columns.streamStartAt[id] = -1;
		this.duration.record(durationMs);
		this.events.record(events);
		const seconds = durationMs / 1000;
		if (seconds > 0) {
			this.eventRate.record(events / seconds);
			// In kB/s: the histogram holds values up to 3.6M, and one fast stream passes 3.6 MB/s.
			this.byteRate.record((columns.bytes[id]! - this.#startBytes[id]!) / seconds / 1000);
		}
	}

	summary(): StreamSummary {
		const {outcomes} = this;
		const ended = streamOutcomes.reduce((total, outcome) => total + outcomes[outcome], 0);
		const completed = outcomes.marker + outcomes.clean;
		return {
			requests: this.requests,
			ended,
			inFlight: Math.max(0, this.requests - ended),
			completed,
			completedRatio: ended === 0 ? null : completed / ended,
			outcomes: {...outcomes},
			headersMs: this.headers.summary() ?? null,
			ttfeMs: this.ttfe.summary() ?? null,
			gapMs: this.gap.summary() ?? null,
			streamMs: this.duration.summary() ?? null,
			eventsPerStream: this.events.summary() ?? null,
			eventsPerSec: this.eventRate.summary() ?? null,
			bytesPerSec: scaled(this.byteRate.summary(), 1000),
		};
	}
}

function scaled(percentiles: Percentiles | undefined, factor: number): Percentiles | null {
	if (percentiles === undefined) {
		return null;
	}

	const {count, ...values} = percentiles;
	const out = {count} as Percentiles;
	for (const [key, value] of Object.entries(values)) {
		out[key as Exclude<keyof Percentiles, 'count'>] = Math.round(value * factor);
	}

	return out;
}
