import hdr from 'hdr-histogram-js';

export type Percentiles = {
	count: number;
	min: number;
	mean: number;
	p50: number;
	p90: number;
	p99: number;
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

	record(ms: number): void {
		// Clock skew can make a sent_at latency negative; clamp rather than corrupt the histogram.
		const micros = Math.min(3_600_000_000, Math.max(0, Math.round(ms * 1000)));
		this.#histogram.recordValue(micros);
	}

	get count(): number {
		return this.#histogram.totalCount;
	}

	summary(): Percentiles | undefined {
		const h = this.#histogram;
		if (h.totalCount === 0) {
			return undefined;
		}

		// HDR reports a bucket's highest equivalent value, which can exceed the true maximum.
		const max = h.maxValue;
		const ms = (micros: number) => Math.round(Math.min(micros, max)) / 1000;
		return {
			count: h.totalCount,
			min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
			mean: Math.round(h.mean) / 1000,
			p50: ms(h.getValueAtPercentile(50)),
			p90: ms(h.getValueAtPercentile(90)),
			p99: ms(h.getValueAtPercentile(99)),
			max: ms(max),
		};
	}

	/** Compressed base64 form, so another process can merge this histogram into its own. */
	encode(): string {
		return hdr.encodeIntoCompressedBase64(this.#histogram);
	}
}
