import type {Logger} from './logger.js';
import type {RedisBridge} from './redis-bridge.js';
import {compareEventIds, parseEventId, sseFrame, type Missed, type ReplayEntry, type ReplayStore} from './replay.js';

/**
 * The SSE replay buffer when Redis is configured: the Redis stream (shared by every instance,
 * and kept across restarts of this one) answers resumes while Redis is up; a local copy of
 * the last `capacity` delivered entries answers them while it is not.
 *
 * Ids: entries that came through Redis carry their stream id (`1732245123456-0`). An entry
 * delivered while the stream is unreachable gets a local id in the same form, from this
 * process's clock (`<ms>-<n>`, always above the previous id), so ids keep increasing across
 * the switch and a resume with such an id after Redis returns asks the stream for what came
 * after that moment. Local entries exist only on the instance that delivered them.
 */
export class RedisReplayStore implements ReplayStore {
	readonly capacity: number;
	private readonly ring: Array<ReplayEntry | undefined>;
	private next = 0; // Entries appended so far.
	private last: readonly [number, number] = [0, 0];
	private lastIdText = '0';

	constructor(
		capacity: number,
		private readonly bridge: Pick<RedisBridge, 'available' | 'streamSince' | 'streamLatest'>,
		private readonly logger: Logger,
	) {
		if (!Number.isSafeInteger(capacity) || capacity < 1) {
			throw new RangeError(`a Redis replay store needs a capacity >= 1 (got ${capacity})`);
		}

		this.capacity = capacity;
		this.ring = Array.from({length: capacity});
	}

	get size(): number {
		return Math.min(this.next, this.capacity);
	}

	get lastId(): string {
		return this.lastIdText;
	}

	append(data: string, id?: string): ReplayEntry {
		const parsed = id === undefined ? undefined : parseEventId(id);
		let key: readonly [number, number];
		if (parsed) {
			key = parsed;
		} else {
			const now = Date.now();
			key = now > this.last[0] ? [now, 0] : [this.last[0], this.last[1] + 1];
		}

		const text = parsed ? id! : `${key[0]}-${key[1]}`;
		const entry: ReplayEntry = {id: text, frame: sseFrame(text, data)};
		this.ring[this.next % this.capacity] = entry;
		this.next++;
		if (compareEventIds(key, this.last) > 0) {
			this.last = key;
		}

		this.lastIdText = text;
		return entry;
	}

	since(lastEventId: string): Missed | Promise<Missed> {
		const wanted = parseEventId(lastEventId);
		if (!wanted) {
			return 'gone';
		}

		if (!this.bridge.available) {
			return this.localSince(wanted);
		}

		return this.bridge.streamSince(`${wanted[0]}-${wanted[1]}`).then(
			({first, last, entries}) => {
				const firstKey = first === undefined ? undefined : parseEventId(first);
				const lastKey = last === undefined ? undefined : parseEventId(last);
				// Older than everything held: what came right after it may have been trimmed.
				// Newer than everything: an id this stream never issued.
				if (!firstKey || !lastKey || compareEventIds(wanted, firstKey) < 0 || compareEventIds(wanted, lastKey) > 0) {
					return 'gone' as const;
				}

				return entries.map(({id, data}) => ({id, frame: sseFrame(id, data)}));
			},
			(error: unknown) => {
				this.logger.warn('redis replay read failed; answering from the local buffer', {error: String(error)});
				return this.localSince(wanted);
			},
		);
	}

	entries(): readonly ReplayEntry[] | Promise<readonly ReplayEntry[]> {
		if (!this.bridge.available) {
			return this.localEntries();
		}

		return this.bridge.streamLatest(this.capacity).then(
			entries => entries.map(({id, data}) => ({id, frame: sseFrame(id, data)})),
			() => this.localEntries(),
		);
	}

	/** What this process delivered itself, oldest first (a cluster seeds new workers with it). */
	localEntries(): ReplayEntry[] {
		const result: ReplayEntry[] = [];
		for (let index = Math.max(0, this.next - this.capacity); index < this.next; index++) {
			result.push(this.ring[index % this.capacity]!);
		}

		return result;
	}

	private localSince(wanted: readonly [number, number]): Missed {
		const held = this.localEntries();
		const oldest = held[0];
		if (!oldest) {
			return 'gone';
		}

		const key = (entry: ReplayEntry): readonly [number, number] => parseEventId(entry.id)!;
		const exact = held.findIndex(entry => compareEventIds(key(entry), wanted) === 0);
		if (exact !== -1) {
			return held.slice(exact + 1);
		}

		// Not one of ours: fine if it falls inside what we hold (an id another instance issued
		// while the stream was away), a gap if it is older or newer than all of it.
		if (compareEventIds(wanted, key(oldest)) < 0 || compareEventIds(wanted, this.last) > 0) {
			return 'gone';
		}

		return held.filter(entry => compareEventIds(key(entry), wanted) > 0);
	}
}
