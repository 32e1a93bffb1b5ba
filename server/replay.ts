/**
 * Where SSE frames wait for reconnecting clients. The in-memory ring below is the default;
 * issue 6 swaps in a Redis-stream-backed store whose ids come from Redis, so callers only
 * ever see ids as opaque strings and go through this interface.
 */
export type ReplayEntry = {
	readonly id: string;
	/** The complete SSE frame (`id: N\ndata: ...\n\n`), encoded once. */
	readonly frame: Buffer;
};

export type Missed = readonly ReplayEntry[] | 'gone';

export type ReplayStore = {
	/**
	 * Stores the JSON payload of one broadcast and returns it with its id and frame. `id` is
	 * one assigned elsewhere (a Redis stream id, server/redis-replay.ts); the in-memory ring
	 * numbers its own entries and never gets one.
	 */
	append(data: string, id?: string): ReplayEntry;
	/**
	 * Entries after `lastEventId`, oldest first; `[]` when the client is up to date;
	 * `'gone'` when that id is unknown or already evicted (the client missed something we
	 * cannot give back in full). A store backed by Redis answers asynchronously.
	 */
	since(lastEventId: string): Missed | Promise<Missed>;
	/** Everything still held, oldest first. */
	entries(): readonly ReplayEntry[] | Promise<readonly ReplayEntry[]>;
	readonly size: number;
	readonly capacity: number;
	readonly lastId: string;
};

/**
 * Orders event ids: the ring's `1, 2, 3` and Redis stream ids `1732245123456-0` (a bare
 * number reads as `N-0`, as Redis itself reads it). Undefined for anything else.
 */
export function parseEventId(id: string): readonly [number, number] | undefined {
	const match = /^(\d{1,15})(?:-(\d{1,15}))?$/.exec(id.trim());
	return match ? [Number(match[1]), Number(match[2] ?? 0)] : undefined;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (both parseable). */
export function compareEventIds(a: readonly [number, number], b: readonly [number, number]): number {
	return a[0] === b[0] ? a[1] - b[1] : a[0] - b[0];
}

export function sseFrame(id: string, data: string): Buffer {
	// JSON.stringify never emits a raw newline, so one data line is always enough.
	return Buffer.from(`id: ${id}\ndata: ${data}\n\n`);
}

/**
 * A fixed-size ring of the last `capacity` frames with ids 1, 2, 3, ... Appending is O(1)
 * and never moves memory (an array with shift() would be O(n) per event once full).
 */
export class RingReplayStore implements ReplayStore {
	readonly capacity: number;
	private readonly ring: Array<ReplayEntry | undefined>;
	private next = 1; // The id the next append gets.
	private count = 0;

	constructor(capacity: number) {
		if (!Number.isSafeInteger(capacity) || capacity < 0) {
			throw new RangeError(`replay capacity must be a whole number >= 0 (got ${capacity})`);
		}

		this.capacity = capacity;
		this.ring = Array.from({length: capacity});
	}

	get size(): number {
		return this.count;
	}

	get lastId(): string {
		return String(this.next - 1);
	}

	/**
	 * `id` is for a worker of `serve --workers N` (server/cluster.ts): the primary numbers every
	 * broadcast and each worker's ring keeps the primary's numbers, so a jump (a worker that
	 * started late) is fine; ids before the jump count as not held.
	 */
	append(data: string, id?: string): ReplayEntry {
		const given = id === undefined ? undefined : /^\d{1,15}$/.test(id) ? Number(id) : undefined;
		if (given !== undefined && given !== this.next) {
			if (given < this.next) {
				throw new RangeError(`replay ids must increase (got ${given} after ${this.next - 1})`);
			}

			this.next = given;
			this.count = 0; // What we hold is no longer contiguous with what comes next.
		}

		id = String(this.next);
		const entry: ReplayEntry = {id, frame: sseFrame(id, data)};
		if (this.capacity > 0) {
			this.ring[(this.next - 1) % this.capacity] = entry;
			this.count = Math.min(this.count + 1, this.capacity);
		}

		this.next++;
		return entry;
	}

	since(lastEventId: string): readonly ReplayEntry[] | 'gone' {
		const text = lastEventId.trim();
		if (!/^\d{1,15}$/.test(text)) {
			return 'gone';
		}

		const last = Number(text);
		const newest = this.next - 1;
		if (last > newest) {
			return 'gone'; // An id from an earlier run of the server.
		}

		const oldest = this.next - this.count; // Id of the oldest held entry (== next when empty).
		if (last < oldest - 1) {
			return 'gone';
		}

		return this.slice(last + 1);
	}

	entries(): readonly ReplayEntry[] {
		return this.slice(this.next - this.count);
	}

	private slice(fromId: number): ReplayEntry[] {
		const result: ReplayEntry[] = [];
		for (let id = fromId; id < this.next; id++) {
			result.push(this.ring[(id - 1) % this.capacity]!);
		}

		return result;
	}
}
