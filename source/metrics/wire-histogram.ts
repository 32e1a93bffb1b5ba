import type {DurationHistogram} from './histogram.js';

/** A histogram in a wire message: hdr-histogram-js compressed base64, and the extremes the encoding blurs to bucket edges. */
export type WireHistogram = {hdr: string; minMs: number; maxMs: number};

/**
 * What `histogram` recorded, encoded, then reset: a producing store is read by nobody else, so
 * a delta costs one encode instead of a copy and a subtraction. Null when nothing was recorded.
 */
export function drain(histogram: DurationHistogram): WireHistogram | null {
	const {minMs, maxMs} = histogram;
	if (histogram.count === 0 || minMs === undefined || maxMs === undefined) {
		return null;
	}

	const encoded = {hdr: histogram.encode(), minMs, maxMs};
	histogram.reset();
	return encoded;
}

/** Add a drained histogram (null: nothing) into `histogram`. */
export function addDrained(histogram: DurationHistogram, wire: WireHistogram | null | undefined): void {
	if (wire) {
		histogram.addEncoded(wire.hdr, wire.minMs, wire.maxMs);
	}
}
