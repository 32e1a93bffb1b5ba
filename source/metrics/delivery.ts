import {SequenceSource} from './sequence.js';
import type {DeliverySummary} from './snapshot.js';

/** How far behind the highest sequence number a late arrival is still told apart from a duplicate. */
export const windowSize = 128;
const wordsPerClient = windowSize / 32;

/** What one sequenced arrival was. */
export const enum Arrival {
	/** the client's first, or the next after the highest so far, or past a gap */
	fresh = 0,
	/** below the highest, not seen before: it fills a gap */
	late = 1,
	duplicate = 2,
	/** the sequence started over (the server lost its state, or a new publisher began at 1) */
	reset = 3,
}

export type DeliveryListener = {
	gap(client: number, from: number, to: number): void;
	reset(client: number, from: number, to: number): void;
};

/**
 * Per-client delivery accounting on typed arrays, a few array writes per message:
 * the highest sequence number seen, a 128-bit ring of which of the numbers just below it
 * arrived (to tell a late arrival from a duplicate), and counters.
 *
 * - Past the highest: fresh; any numbers skipped are counted as gaps at once (an `--events`
 *   `gap` line) and taken back if they arrive late.
 * - Equal to the highest, or below it and already seen: duplicate.
 * - Below it within the ring and not seen: late (out of order), and one gap fewer.
 * - Back to 0 or 1 after having had it, further back than the ring reaches, or back at all on
 *   the first message after a reconnect: a reset. The sequence starts over from there; a
 *   server that lost its state costs one reset, not thousands of gaps.
 *
 * A reconnect resumed when Last-Event-ID was sent and the next message followed on from the
 * highest seen (for stream ids, which are not contiguous: came after it).
 */
export class DeliveryTracker {
	#capacity = 0;
	#highest = new Float64Array(0);
	#ring = new Uint32Array(0);
	#source = new Uint8Array(0);
	/** 1: the next sequenced message is the first after a reconnect (2: and Last-Event-ID was sent) */
	#pendingResume = new Uint8Array(0);
	/**
	 * Per-client counters. The store hands over its own client-table columns (`useColumns`), so
	 * the table shows them with no copy per message.
	 */
	gaps: Float64Array = new Float64Array(0);
	duplicates: Float64Array = new Float64Array(0);
	#received = new Float64Array(0);
	#unsequenced = new Float64Array(0);

	readonly #totals = {gaps: 0, duplicates: 0, outOfOrder: 0, resets: 0, received: 0, unsequenced: 0, resumed: 0, notResumed: 0};
	readonly #listener: DeliveryListener | undefined;

	constructor(listener?: DeliveryListener) {
		this.#listener = listener;
	}

	/** Make room for client ids up to `capacity - 1`. */
	grow(capacity: number): void {
		if (capacity <= this.#capacity) {
			return;
		}

		const copy = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (length: number) => T, length: number): T => {
			const next = make(length);
			next.set(old);
			return next;
		};

		const highest = new Float64Array(capacity).fill(-1);
		highest.set(this.#highest);
		this.#highest = highest;
		this.#ring = copy(this.#ring, length => new Uint32Array(length), capacity * wordsPerClient);
		this.#source = copy(this.#source, length => new Uint8Array(length), capacity);
		this.#pendingResume = copy(this.#pendingResume, length => new Uint8Array(length), capacity);
		if (this.gaps.length < capacity) {
			this.gaps = copy(this.gaps, length => new Float64Array(length), capacity);
			this.duplicates = copy(this.duplicates, length => new Float64Array(length), capacity);
		}

		this.#received = copy(this.#received, length => new Float64Array(length), capacity);
		this.#unsequenced = copy(this.#unsequenced, length => new Float64Array(length), capacity);
		this.#capacity = capacity;
	}

	/** The source of this client's sequence numbers (none until its first sequenced message). */
	sourceOf(client: number): SequenceSource {
		return this.#source[client]! as SequenceSource;
	}

	/** Count gaps and duplicates in these arrays (at least as long as the capacity, holding the counts so far). */
	useColumns(gaps: Float64Array, duplicates: Float64Array): void {
		this.gaps = gaps;
		this.duplicates = duplicates;
	}

	/** A message with no sequence number. */
	unsequenced(client: number): void {
		this.#unsequenced[client]!++;
		this.#totals.unsequenced++;
	}

	/** The client dropped and will reconnect, sending `Last-Event-ID` when `withLastEventId`. */
	reconnecting(client: number, withLastEventId: boolean): void {
		if (this.#pendingResume[client] !== 0) {
			// Dropped again before any message followed: the earlier reconnect did not resume.
			this.#totals.notResumed++;
		}

		this.#pendingResume[client] = withLastEventId ? 2 : 1;
	}

	/**
	 * A request stream starts (source/engine/request-stream.ts): it numbers its events afresh, so
	 * its first number is neither a reset nor a gap; a cut stream's missing tail is not known.
	 */
	newStream(client: number): void {
		this.#highest[client] = -1;
		this.#pendingResume[client] = 0;
	}

	record(client: number, seq: number, source: SequenceSource): Arrival {
		const highest = this.#highest[client]!;
		const pending = this.#pendingResume[client]!;
		if (seq === highest + 1 && pending === 0 && highest !== -1) {
			// The common case, kept short: the next number, in order.
			const slot = seq % windowSize;
			this.#ring[(client * wordsPerClient) + (slot >>> 5)]! |= 1 << (slot & 31);
			this.#highest[client] = seq;
			this.#received[client]!++;
			this.#totals.received++;
			return Arrival.fresh;
		}

		this.#source[client] = source;
		if (pending !== 0) {
			this.#pendingResume[client] = 0;
			const followedOn = source === SequenceSource.streamId ? seq > highest : seq === highest + 1;
			if (pending === 2 && highest !== -1 && followedOn) {
				this.#totals.resumed++;
			} else {
				this.#totals.notResumed++;
			}
		}

		if (highest === -1) {
			this.#restart(client, seq);
			return Arrival.fresh;
		}

		if (seq > highest) {
			this.#advance(client, highest, seq, source !== SequenceSource.streamId);
			return Arrival.fresh;
		}

		if (seq === highest) {
			return this.#duplicate(client);
		}

		// Back to the start, further back than the ring reaches, or back at all on the first
		// message after a reconnect (a restarted server counts afresh; one that replays what the
		// client already had after Last-Event-ID shows here too): the sequence started over.
		const base = client * wordsPerClient;
		const slot = seq % windowSize;
		const word = base + (slot >>> 5);
		const bit = 1 << (slot & 31);
		const seen = (this.#ring[word]! & bit) !== 0;
		if (pending !== 0 || seq <= highest - windowSize || (seq <= 1 && seen)) {
			this.#totals.resets++;
			this.#restart(client, seq);
			this.#listener?.reset(client, highest, seq);
			return Arrival.reset;
		}

		if (seen) {
			return this.#duplicate(client);
		}

		this.#ring[word]! |= bit;
		this.#totals.outOfOrder++;
		this.#received[client]!++;
		this.#totals.received++;
		if (this.gaps[client]! > 0 && source !== SequenceSource.streamId) {
			this.gaps[client]!--;
			this.#totals.gaps--;
		}

		return Arrival.late;
	}

	#duplicate(client: number): Arrival {
		this.duplicates[client]!++;
		this.#totals.duplicates++;
		return Arrival.duplicate;
	}

	/** First message, or the first after a reset: the ring holds only this one. */
	#restart(client: number, seq: number): void {
		const base = client * wordsPerClient;
		this.#ring.fill(0, base, base + wordsPerClient);
		const slot = seq % windowSize;
		this.#ring[base + (slot >>> 5)]! |= 1 << (slot & 31);
		this.#highest[client] = seq;
		this.#received[client]!++;
		this.#totals.received++;
	}

	#advance(client: number, highest: number, seq: number, contiguous: boolean): void {
		const base = client * wordsPerClient;
		const skipped = seq - highest - 1;
		if (skipped >= windowSize - 1) {
			this.#ring.fill(0, base, base + wordsPerClient);
		} else {
			// Clear the slots of the skipped numbers: they now stand for numbers not seen yet.
			for (let next = highest + 1; next < seq; next++) {
				const slot = next % windowSize;
				this.#ring[base + (slot >>> 5)]! &= ~(1 << (slot & 31));
			}
		}

		const slot = seq % windowSize;
		this.#ring[base + (slot >>> 5)]! |= 1 << (slot & 31);
		this.#highest[client] = seq;
		this.#received[client]!++;
		this.#totals.received++;
		if (skipped > 0 && contiguous) {
			this.gaps[client]! += skipped;
			this.#totals.gaps += skipped;
			this.#listener?.gap(client, highest + 1, seq - 1);
		}
	}

	/** The `delivery` block of a summary, over clients 1..`clients`. */
	summary(clients: number): DeliverySummary {
		const sources = {seq: 0, field: 0, id: 0, streamId: 0};
		let accounted = 0;
		let unaccounted = 0;
		for (let client = 1; client <= clients && client < this.#capacity; client++) {
			switch (this.#source[client]) {
				case SequenceSource.seq: { sources.seq++; accounted++; break; }
				case SequenceSource.field: { sources.field++; accounted++; break; }
				case SequenceSource.id: { sources.id++; accounted++; break; }
				case SequenceSource.streamId: { sources.streamId++; accounted++; break; }
				default: {
					if (this.#unsequenced[client]! > 0) {
						unaccounted++;
					}
				}
			}
		}

		const t = this.#totals;
		const expected = accounted === 0 ? null : t.received + t.gaps;
		return {
			accountedClients: accounted,
			unaccountedClients: unaccounted,
			sources,
			expected,
			received: t.received,
			ratio: expected === null || expected === 0 ? null : t.received / expected,
			gaps: t.gaps,
			duplicates: t.duplicates,
			outOfOrder: t.outOfOrder,
			resets: t.resets,
			unsequenced: t.unsequenced,
			reconnects: {resumed: t.resumed, notResumed: t.notResumed},
			foreign: 0,
		};
	}
}
