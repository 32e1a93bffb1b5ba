import type {ClientRow} from '../../metrics/snapshot.js';

/** The reference server's SSE heartbeat (server/options.ts heartbeatMs): the interval assumed until one is observed. */
export const defaultHeartbeatMs = 30_000;
/** Below this a threshold would flap with the 200 ms snapshot tick. */
const minimumThresholdMs = 1000;
/** Recomputing the median of 10,000 intervals each tick is wasted work: it moves slowly. */
const medianEveryMs = 1000;

/**
 * Decides which open clients are stale: a heartbeat is overdue.
 *
 * Rule: an open client is stale when more than 2 x the expected heartbeat interval has passed
 * since its last heartbeat, or since it (re)opened if it has had none since. The expected
 * interval is the median of the intervals observed across all clients (heartbeat count
 * deltas between snapshots), or 30 s until some client has shown two heartbeats. If no
 * heartbeat has arrived at all in the run the server sends none, and nothing is stale.
 * A client already open in the first snapshot the dashboard sees, with no heartbeat yet, is
 * taken to have opened then (exact when the dashboard starts with the run).
 *
 * Fed once per snapshot with every row (O(clients), typed arrays, no allocation per row).
 */
export class StaleTracker {
	#capacity = 0;
	#heartbeats = new Float64Array(0);
	#lastHeartbeatAt = new Float64Array(0);
	#connects = new Float64Array(0);
	#openedAt = new Float64Array(0);
	#interval = new Float64Array(0);
	#seen = new Uint8Array(0);
	#medianMs: number | undefined;
	#medianAt = Number.NEGATIVE_INFINITY;
	#anyHeartbeat = false;
	#lastUpdateAt = Number.NaN;

	/** Observe the rows of one snapshot taken at `now` (ms since start). Idempotent for the same `now`. */
	update(rows: readonly ClientRow[], now: number): void {
		if (now === this.#lastUpdateAt) {
			return;
		}

		this.#lastUpdateAt = now;
		const last = rows.at(-1);
		if (last && last.id >= this.#capacity) {
			this.#grow(last.id + 1);
		}

		for (const row of rows) {
			const id = row.id;
			if (row.heartbeats > 0) {
				this.#anyHeartbeat = true;
			}

			if (this.#seen[id] === 1) {
				const newHeartbeats = row.heartbeats - this.#heartbeats[id]!;
				if (newHeartbeats > 0 && this.#lastHeartbeatAt[id]! >= 0) {
					this.#interval[id] = (row.lastHeartbeatAt - this.#lastHeartbeatAt[id]!) / newHeartbeats;
				}

				if (row.connects > this.#connects[id]!) {
					// (Re)opened since the last snapshot; somewhere in the last tick, call it now.
					this.#openedAt[id] = now;
				}
			} else {
				this.#seen[id] = 1;
				// First sight of an open client without heartbeats: it opened by now at the
				// latest, which is exact for a dashboard started with the run (first tick).
				this.#openedAt[id] = row.connects > 0 && row.lastHeartbeatAt < 0 ? now : -1;
			}

			this.#heartbeats[id] = row.heartbeats;
			this.#lastHeartbeatAt[id] = row.lastHeartbeatAt;
			this.#connects[id] = row.connects;
		}

		if (now - this.#medianAt >= medianEveryMs) {
			this.#medianAt = now;
			this.#medianMs = this.#median();
		}
	}

	/** The expected heartbeat interval: the observed median, or the default. */
	get intervalMs(): number {
		return this.#medianMs ?? defaultHeartbeatMs;
	}

	get thresholdMs(): number {
		return Math.max(minimumThresholdMs, 2 * this.intervalMs);
	}

	isStale(row: ClientRow, now: number): boolean {
		if (row.state !== 'open' || !this.#anyHeartbeat) {
			return false;
		}

		const openedAt = row.id < this.#capacity ? this.#openedAt[row.id]! : -1;
		const since = Math.max(row.lastHeartbeatAt, openedAt);
		return since >= 0 && now - since > this.thresholdMs;
	}

	#median(): number | undefined {
		let count = 0;
		for (let id = 0; id < this.#capacity; id++) {
			if (this.#interval[id]! > 0) {
				count++;
			}
		}

		if (count === 0) {
			return undefined;
		}

		const values = new Float64Array(count);
		let index = 0;
		for (let id = 0; id < this.#capacity; id++) {
			if (this.#interval[id]! > 0) {
				values[index++] = this.#interval[id]!;
			}
		}

		values.sort();
		return values[Math.floor(count / 2)];
	}

	#grow(size: number): void {
		const capacity = Math.max(64, this.#capacity * 2, size);
		const grow = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T, fill = 0): T => {
			const next = make(capacity);
			next.fill(fill);
			next.set(old);
			return next;
		};

		this.#heartbeats = grow(this.#heartbeats, n => new Float64Array(n));
		this.#lastHeartbeatAt = grow(this.#lastHeartbeatAt, n => new Float64Array(n), -1);
		this.#connects = grow(this.#connects, n => new Float64Array(n));
		this.#openedAt = grow(this.#openedAt, n => new Float64Array(n), -1);
		this.#interval = grow(this.#interval, n => new Float64Array(n));
		this.#seen = grow(this.#seen, n => new Uint8Array(n));
		this.#capacity = capacity;
	}
}
