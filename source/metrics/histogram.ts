import hdr from 'hdr-histogram-js';

/** One HDR sub-bucket that holds recordings: its lowest value in ms, and how many fell in it. */
export type HistogramBucket = {ms: number; count: number};

/** The part of hdr-histogram-js's JS histogram that `buckets()` walks (not on its public interface). */
type RecordedValues = {
	recordedValuesIterator: {reset(): void; hasNext(): boolean; next(): {valueIteratedTo: number; countAddedInThisIterationStep: number}};
	lowestEquivalentValue(value: number): number;
};

export type Percentiles = {
	count: number;
	min: number;
	mean: number;
	p50: number;
	p90: number;
	p99: number;
	/** p99.9 */
	p999: number;
	max: number;
};

/**
 * Durations in milliseconds, stored as whole microseconds in an HDR histogram (3 significant
 * digits, values up to an hour). The pure-JS build: no WebAssembly start-up, and it can be
 * encoded for merging across worker processes later.
 */
export class DurationHistogram {
	readonly #histogram = hdr.build({
		useWebAssembly: false,
		lowestDiscernibleValue: 1,
		highestTrackableValue: 3_600_000_000,
		numberOfSignificantValueDigits: 3,
	});

	// Runs of equal values are counted and recorded in one call: latencies from sent_at are whole
	// milliseconds and the events of one read share a clock reading, so runs are common, and
	// recordValue (log2 + pow per call) was a tenth of the client's CPU on batched streams.
	#runValue = -1;
	#runCount = 0;
	/** the lowest value recorded, in µs: HDR only keeps the lowest non-zero one, and 0 ms latencies are common */
	#min = Number.POSITIVE_INFINITY;
	/** the highest value recorded, in µs: HDR's max after `add` is a bucket's top, not the value */
	#max = Number.NEGATIVE_INFINITY;

	record(ms: number): void {
		// Clock skew can make a sent_at latency negative; clamp rather than corrupt the histogram.
		const micros = Math.min(3_600_000_000, Math.max(0, Math.round(ms * 1000)));
		if (micros === this.#runValue) {
			this.#runCount++;
			return;
		}

		this.#flush();
		this.#runValue = micros;
		this.#runCount = 1;
		if (micros < this.#min) {
			this.#min = micros;
		}

		if (micros > this.#max) {
			this.#max = micros;
		}
	}

	/** Add everything recorded here into `target` (HDR histograms add bucket by bucket). */
	addTo(target: DurationHistogram): void {
		this.#flush();
		target.#flush();
		target.#histogram.add(this.#histogram);
		target.#min = Math.min(target.#min, this.#min);
		target.#max = Math.max(target.#max, this.#max);
	}

	/** Forget everything recorded. */
	reset(): void {
		this.#histogram.reset();
		this.#runValue = -1;
		this.#runCount = 0;
		this.#min = Number.POSITIVE_INFINITY;
		this.#max = Number.NEGATIVE_INFINITY;
	}

	get count(): number {
		this.#flush();
		return this.#histogram.totalCount;
	}

	#flush(): void {
		if (this.#runCount > 0) {
			this.#histogram.recordValueWithCount(this.#runValue, this.#runCount);
			this.#runCount = 0;
			this.#runValue = -1;
		}
	}

	summary(): Percentiles | undefined {
		this.#flush();
		const h = this.#histogram;
		if (h.totalCount === 0) {
			return undefined;
		}

		// HDR reports a bucket's highest equivalent value, which can exceed the true maximum.
		const max = Number.isFinite(this.#max) ? this.#max : h.maxValue;
		const ms = (micros: number) => Math.round(Math.min(micros, max)) / 1000;
		return {
			count: h.totalCount,
			min: Number.isFinite(this.#min) ? ms(this.#min) : 0,
			mean: Math.round(h.mean) / 1000,
			p50: ms(h.getValueAtPercentile(50)),
			p90: ms(h.getValueAtPercentile(90)),
			p99: ms(h.getValueAtPercentile(99)),
			p999: ms(h.getValueAtPercentile(99.9)),
			max: ms(max),
		};
	}

	/**
	 * Every sub-bucket that holds recordings, lowest first: the iterator walks the counts array up
	 * to the highest recorded value, so the cost is the number of sub-buckets, never the count.
	 */
	buckets(): HistogramBucket[] {
		this.#flush();
		const buckets: HistogramBucket[] = [];
		const histogram = this.#histogram as unknown as RecordedValues;
		const iterator = histogram.recordedValuesIterator;
		iterator.reset();
		while (iterator.hasNext()) {
			const step = iterator.next();
			buckets.push({ms: histogram.lowestEquivalentValue(step.valueIteratedTo) / 1000, count: step.countAddedInThisIterationStep});
		}

		return buckets;
	}

	/** Compressed base64 form, so another process can merge this histogram into its own. */
	encode(): string {
		this.#flush();
		return hdr.encodeIntoCompressedBase64(this.#histogram);
	}

	/** The lowest value recorded, in ms (0 counts); undefined when empty. The encoded form loses it, so the wire carries it beside. */
	get minMs(): number | undefined {
		this.#flush();
		return Number.isFinite(this.#min) ? this.#min / 1000 : undefined;
	}

	/** The highest value recorded, in ms; undefined when empty. */
	get maxMs(): number | undefined {
		this.#flush();
		return Number.isFinite(this.#max) ? this.#max / 1000 : undefined;
	}

	/** Add a histogram another process encoded (`encode()`), whose extremes were `minMs` and `maxMs`. */
	addEncoded(base64: string, minMs: number, maxMs: number): void {
		this.#flush();
		const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
		this.#histogram.add(decoded);
		this.#min = Math.min(this.#min, Math.round(minMs * 1000));
		this.#max = Math.max(this.#max, Math.round(maxMs * 1000));
	}
}
