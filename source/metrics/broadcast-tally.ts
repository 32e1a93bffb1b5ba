import {DurationHistogram} from './histogram.js';

/** Per-client bitmaps of which broadcasts arrived, while they fit in this many bytes in all. */
const exactBudgetBytes = 64 * 1024 * 1024;
/** Broadcasts listed one by one in the summary (the report's chart). */
export const listedBroadcasts = 10_000;
/** Missing or duplicated seqs listed in the summary. */
export const listedSeqs = 100;

export type BroadcastTallyResult = {
	published: number;
	/** deliveries expected over all clients and broadcasts, and received (distinct) */
	expected: number;
	received: number;
	ratio: number | null;
	/** clients that got every broadcast they were expected to, and those that did not */
	clientsComplete: number;
	clientsIncomplete: number;
	/** lowest per-client delivery ratio */
	minClientRatio: number | null;
	/** the first 100 missing or duplicated seqs are listed */
	missing: {total: number; seqs: Array<{seq: number; clients: number}>};
	duplicates: {total: number; seqs: Array<{seq: number; count: number}>};
	latencyMs: ReturnType<DurationHistogram['summary']>;
	fanoutMs: ReturnType<DurationHistogram['summary']>;
	/** one entry per broadcast, in seq order (at most 10,000: the first ones) */
	broadcasts: Array<{seq: number; at: number; expected: number; received: number; fanoutMs: number | null}>;
	foreign: number;
};

/** Subscription changes older than this (ms) before the newest may be forgotten: no publish is reported that late. */
const changeHorizonMs = 60_000;
/** The change log is pruned to the horizon when it reaches this many entries. */
const changeLogPrune = 1 << 16;

/**
 * What a broadcast run expects and gets, per broadcast (seq 1..count) and per client. A client
 * is expected to get a broadcast when it was subscribed (open; for ActionCable, confirmed) at
 * the moment it was published, or when it got it anyway (it resumed across a reconnect).
 *
 * Subscribed time is counted in publishes: a client that subscribes when `published` is p0
 * and drops when it is p1 expects p1 - p0 broadcasts. Times are ms on the run's clock.
 *
 * A publish is often learnt of after the fact (a trigger's answer, an agent told by its
 * controller), dated back to when it went out. Who was subscribed then is read back from a log
 * of subscription changes: a client that reconnected in between was away when it went out, and
 * counting it as subscribed here while `received` counts it again as resumed would expect that
 * delivery twice (the flaky "cut mid-publish" run: missing 1-3 with no gap).
 */
export class BroadcastTally {
	readonly runId: string;
	readonly count: number;
	readonly latency = new DurationHistogram();

	readonly #publishedAt: Float64Array;
	readonly #expected: Float64Array;
	readonly #received: Float64Array;
	readonly #duplicates: Float64Array;
	readonly #lastAt: Float64Array;
	#published = 0;
	#subscribed = 0;
	/** deliveries still owed, summed over broadcasts: max(0, expected - received) each */
	#owed = 0;
	#foreign = 0;

	// Per client, grown with the ids.
	#capacity = 0;
	#sessionStart = new Float64Array(0);
	#subscribedAt = new Float64Array(0);
	#droppedAt = new Float64Array(0);
	#clientExpected = new Float64Array(0);
	#clientReceived = new Float64Array(0);
	#bits: Array<Uint8Array | undefined> = [];
	/** subscribe (+1) and unsubscribe (-1) in time order: when, who, which */
	#changeAt = new Float64Array(256);
	#changeClient = new Int32Array(256);
	#changeDelta = new Int8Array(256);
	#changes = 0;
	readonly #exact: boolean;
	#clients = 0;

	constructor(runId: string, count: number, clients: number) {
		this.runId = runId;
		this.count = count;
		this.#publishedAt = new Float64Array(count + 1).fill(-1);
		this.#expected = new Float64Array(count + 1);
		this.#received = new Float64Array(count + 1);
		this.#duplicates = new Float64Array(count + 1);
		this.#lastAt = new Float64Array(count + 1).fill(-1);
		this.#exact = Math.ceil((count + 1) / 8) * Math.max(1, clients) <= exactBudgetBytes;
	}

	get published(): number {
		return this.#published;
	}

	/** Every broadcast published and every delivery expected of each one in. */
	complete(): boolean {
		return this.#published === this.count && this.#owed === 0;
	}

	/** Deliveries still owed for what has been published. */
	get owed(): number {
		return this.#owed;
	}

	get foreignCount(): number {
		return this.#foreign;
	}

	get subscribed(): number {
		return this.#subscribed;
	}

	/** Broadcast `seq` is being published now: everyone subscribed expects it. */
	publishing(seq: number, at: number): void {
		if (seq < 1 || seq > this.count || this.#publishedAt[seq] !== -1) {
			return;
		}

		this.#publishedAt[seq] = at;
		const subscribed = this.#subscribedThen(at);
		const before = Math.max(0, this.#expected[seq]! - this.#received[seq]!);
		this.#expected[seq] = subscribed;
		this.#owed += Math.max(0, subscribed - this.#received[seq]!) - before;
		this.#published++;
	}

	/**
	 * How many were subscribed at `at` (now or earlier), undoing the changes since; the sessions
	 * of the clients that changed are set to match: one begun since does not count this publish,
	 * one that ended since does.
	 */
	#subscribedThen(at: number): number {
		let subscribed = this.#subscribed;
		let changed: Map<number, number> | undefined;
		for (let index = this.#changes - 1; index >= 0 && this.#changeAt[index]! > at; index--) {
			const client = this.#changeClient[index]!;
			const delta = this.#changeDelta[index]!;
			subscribed -= delta;
			changed ??= new Map();
			changed.set(client, (changed.get(client) ?? 0) + delta);
		}

		for (const [client, net] of changed ?? []) {
			const now = this.#sessionStart[client] !== -1;
			if (now) {
				this.#sessionStart[client]!++; // Its session began after `at`: not this one.
			}

			if ((now ? 1 : 0) - net === 1) {
				this.#clientExpected[client]!++; // Its session then ended before this was recorded.
			}
		}

		return subscribed;
	}

	#logChange(client: number, at: number, delta: 1 | -1): void {
		if (this.#changes === this.#changeAt.length) {
			let keep = 0;
			if (this.#changes >= changeLogPrune) {
				const horizon = this.#changeAt[this.#changes - 1]! - changeHorizonMs;
				while (keep < this.#changes && this.#changeAt[keep]! < horizon) {
					keep++;
				}
			}

			const length = this.#changes - keep < this.#changes / 2 ? this.#changeAt.length : this.#changeAt.length * 2;
			const move = <T extends Float64Array | Int32Array | Int8Array>(old: T, next: T): T => {
				next.set(old.subarray(keep, this.#changes));
				return next;
			};

			this.#changeAt = move(this.#changeAt, new Float64Array(length));
			this.#changeClient = move(this.#changeClient, new Int32Array(length));
			this.#changeDelta = move(this.#changeDelta, new Int8Array(length));
			this.#changes -= keep;
		}

		this.#changeAt[this.#changes] = at;
		this.#changeClient[this.#changes] = client;
		this.#changeDelta[this.#changes] = delta;
		this.#changes++;
	}

	subscribe(client: number, at: number): void {
		this.#grow(client);
		if (this.#sessionStart[client] !== -1) {
			return;
		}

		this.#sessionStart[client] = this.#published;
		this.#subscribedAt[client] = at;
		this.#subscribed++;
		this.#logChange(client, at, 1);
	}

	unsubscribe(client: number, at: number): void {
		this.#grow(client);
		const start = this.#sessionStart[client]!;
		if (start === -1) {
			return;
		}

		this.#clientExpected[client]! += this.#published - start;
		this.#sessionStart[client] = -1;
		this.#droppedAt[client] = at;
		this.#subscribed--;
		this.#logChange(client, at, -1);
	}

	/** A message of another run (or of none) on the channel. */
	foreign(): void {
		this.#foreign++;
	}

	/** `client` got broadcast `seq` at `at`; `duplicate` is the delivery tracker's verdict, used when no exact bitmap is kept. */
	received(client: number, seq: number, at: number, latencyMs: number | undefined, duplicate: boolean): void {
		if (seq < 1 || seq > this.count) {
			this.#foreign++;
			return;
		}

		this.#grow(client);
		let seen = duplicate;
		if (this.#exact) {
			let bits = this.#bits[client];
			if (bits === undefined) {
				bits = new Uint8Array(Math.ceil((this.count + 1) / 8));
				this.#bits[client] = bits;
			}

			const mask = 1 << (seq & 7);
			seen = (bits[seq >>> 3]! & mask) !== 0;
			bits[seq >>> 3]! |= mask;
		}

		if (seen) {
			this.#duplicates[seq]!++;
			return;
		}

		const owedBefore = Math.max(0, this.#expected[seq]! - this.#received[seq]!);
		this.#received[seq]!++;
		this.#clientReceived[client]!++;
		if (at > this.#lastAt[seq]!) {
			this.#lastAt[seq] = at;
		}

		if (latencyMs !== undefined) {
			this.latency.record(latencyMs);
		}

		// Not subscribed when it was published: the client got it by resuming, so it counts as
		// expected too. (Arriving before its publish was recorded, as through a trigger that
		// answers after delivering, it was subscribed then: `publishing` counts it.)
		const publishedAt = this.#publishedAt[seq]!;
		const counted = publishedAt === -1
			|| (this.#sessionStart[client] !== -1 && this.#subscribedAt[client]! <= publishedAt)
			|| this.#droppedAt[client]! > publishedAt;
		if (!counted) {
			this.#expected[seq]!++;
			this.#clientExpected[client]!++;
		}

		this.#owed += Math.max(0, this.#expected[seq]! - this.#received[seq]!) - owedBefore;
	}

	result(): BroadcastTallyResult {
		let expected = 0;
		let received = 0;
		let missingTotal = 0;
		let duplicateTotal = 0;
		const missing: Array<{seq: number; clients: number}> = [];
		const duplicates: Array<{seq: number; count: number}> = [];
		const fanout = new DurationHistogram();
		const broadcasts: BroadcastTallyResult['broadcasts'] = [];
		for (let seq = 1; seq <= this.count; seq++) {
			const at = this.#publishedAt[seq]!;
			const got = this.#received[seq]!;
			if (at === -1 && got === 0) {
				continue;
			}

			const want = Math.max(this.#expected[seq]!, got);
			expected += want;
			received += got;
			const lost = want - got;
			missingTotal += lost;
			if (lost > 0 && missing.length < listedSeqs) {
				missing.push({seq, clients: lost});
			}

			const repeated = this.#duplicates[seq]!;
			duplicateTotal += repeated;
			if (repeated > 0 && duplicates.length < listedSeqs) {
				duplicates.push({seq, count: repeated});
			}

			const fanoutMs = at !== -1 && got > 0 ? Math.max(0, this.#lastAt[seq]! - at) : null;
			if (fanoutMs !== null) {
				fanout.record(fanoutMs);
			}

			if (broadcasts.length < listedBroadcasts) {
				broadcasts.push({seq, at: at === -1 ? -1 : Math.round(at * 10) / 10, expected: want, received: got, fanoutMs: fanoutMs === null ? null : Math.round(fanoutMs * 100) / 100});
			}
		}

		let complete = 0;
		let incomplete = 0;
		let minRatio: number | null = null;
		for (let client = 1; client <= this.#clients; client++) {
			const start = this.#sessionStart[client]!;
			const want = this.#clientExpected[client]! + (start === -1 ? 0 : this.#published - start);
			const got = this.#clientReceived[client]!;
			if (want === 0) {
				continue;
			}

			const ratio = Math.min(1, got / want);
			minRatio = minRatio === null ? ratio : Math.min(minRatio, ratio);
			if (got >= want) {
				complete++;
			} else {
				incomplete++;
			}
		}

		return {
			published: this.#published,
			expected,
			received,
			ratio: expected === 0 ? null : received / expected,
			clientsComplete: complete,
			clientsIncomplete: incomplete,
			minClientRatio: minRatio,
			missing: {total: missingTotal, seqs: missing},
			duplicates: {total: duplicateTotal, seqs: duplicates},
			latencyMs: this.latency.summary(),
			fanoutMs: fanout.summary(),
			broadcasts,
			foreign: this.#foreign,
		};
	}

	#grow(client: number): void {
		if (client > this.#clients) {
			this.#clients = client;
		}

		if (client < this.#capacity) {
			return;
		}

		const capacity = Math.max(64, this.#capacity * 2, client + 1);
		const grow = (old: Float64Array, fill: number) => {
			const next = new Float64Array(capacity).fill(fill);
			next.set(old);
			return next;
		};

		this.#sessionStart = grow(this.#sessionStart, -1);
		this.#subscribedAt = grow(this.#subscribedAt, -1);
		this.#droppedAt = grow(this.#droppedAt, -1);
		this.#clientExpected = grow(this.#clientExpected, 0);
		this.#clientReceived = grow(this.#clientReceived, 0);
		this.#capacity = capacity;
	}
}
