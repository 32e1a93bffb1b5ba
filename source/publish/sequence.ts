import {isRunId} from '../payloads.js';
import type {Publisher, PublishResult, PublishSequenceOptions, PublishTarget} from './types.js';

export type Sequence = {count: number; first: number; rate: number; run: string | undefined; padBytes: number};

/** Checks a caller's sequence: these are programming mistakes (RangeError), not run failures. */
export function resolveSequence(options: PublishSequenceOptions): Sequence {
	const {count, rate, run} = options;
	const first = options.firstSeq ?? 1;
	const padBytes = options.padBytes ?? 0;
	if (!Number.isSafeInteger(count) || count < 0) {
		throw new RangeError(`count must be a whole number >= 0 (got ${count})`);
	}

	if (!Number.isSafeInteger(first) || first < 1 || !Number.isSafeInteger(first + count)) {
		throw new RangeError(`firstSeq must be a whole number >= 1 (got ${first})`);
	}

	if (!Number.isFinite(rate) || rate < 0) {
		throw new RangeError(`rate must be messages per second >= 0, 0 for no pacing (got ${rate})`);
	}

	if (!Number.isSafeInteger(padBytes) || padBytes < 0) {
		throw new RangeError(`padBytes must be a whole number >= 0 (got ${padBytes})`);
	}

	if (run !== undefined && !isRunId(run)) {
		throw new RangeError(`run must be 1-64 characters of A-Z, a-z, 0-9, _ and - (got ${JSON.stringify(run)})`);
	}

	return {count, first, rate, run, padBytes};
}

/**
 * A Publisher around one way of sending a checked sequence: one sequence at a time, none after
 * close (programming mistakes, thrown as Error); `release` runs once, on the first close.
 */
export function guardedPublisher(target: PublishTarget, send: (sequence: Sequence, options: PublishSequenceOptions) => Promise<PublishResult>, release?: () => void): Publisher {
	let busy = false;
	let closed = false;
	return {
		target,
		async publishSequence(options) {
			if (closed || busy) {
				throw new Error(closed ? 'publishSequence after close()' : 'one publishSequence at a time per publisher');
			}

			const sequence = resolveSequence(options);
			busy = true;
			try {
				return await send(sequence, options);
			} finally {
				busy = false;
			}
		},
		async close() {
			if (!closed) {
				closed = true;
				release?.();
			}
		},
	};
}
