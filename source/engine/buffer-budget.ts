import {getHeapStatistics} from 'node:v8';

/**
 * One budget for the partial data every client of a process holds between reads: an SSE line
 * or event not yet complete, a WebSocket frame or fragmented message not yet whole. Each client
 * is capped by --max-event-size, but 100 clients fed an endless line held 100 × 8 MiB; past the
 * budget the largest holders fail (`too-large`) and drop what they held.
 *
 * Clients report only when what they hold changes (a read that ends on an event boundary, the
 * usual case, holds nothing and reports nothing), so the per-read cost is one comparison.
 */

/** A client that holds partial data. `held` is the budget's to write. */
export type BufferHolder = {
	/** what the budget last heard it holds (bytes; characters for decoded SSE text) */
	held: number;
	/**
	 * The budget ran out and this holder is among the largest: fail with `too-large` and let go
	 * of what it holds. The budget has already counted it as 0; it must not report it again.
	 */
	overBudget(message: string): void;
};

export type BufferStats = {
	/** the most held at once by every client of the run, in bytes */
	peakBytes: number;
	budgetBytes: number;
	/** clients failed (too-large) because the budget ran out, not their own cap */
	overBudget: number;
};

const MiB = 1024 * 1024;
/** The budget never goes below this (or the clients' own caps added up, if smaller). */
export const minDefaultBudget = 256 * MiB;
/** ...and grows by this much per client past 4,096 clients. */
export const perClientDefaultBudget = 64 * 1024;

/**
 * The default budget for `clients` clients capped at `maxEventSize` each: 256 MiB or 64 KiB per
 * client, whichever is more; never more than the caps added up (the budget would never bind),
 * nor than a quarter of the JavaScript heap limit (partial lines are strings on that heap).
 */
export function defaultBufferBudget(clients: number, maxEventSize: number, heapLimit = getHeapStatistics().heap_size_limit): number {
	const sized = Math.max(minDefaultBudget, clients * perClientDefaultBudget);
	return Math.max(maxEventSize, Math.min(sized, clients * maxEventSize, Math.floor(heapLimit / 4)));
}

export class BufferBudget {
	total = 0;
	peak = 0;
	shed = 0;
	private readonly holders = new Set<BufferHolder>();
	private shedding = false;

	constructor(readonly limit: number) {}

	/** `holder` now holds `held` bytes. May fail the largest holders, `holder` included. */
	update(holder: BufferHolder, held: number): void {
		const before = holder.held;
		if (held === before) {
			return;
		}

		holder.held = held;
		this.total += held - before;
		if (before === 0) {
			this.holders.add(holder);
		} else if (held === 0) {
			this.holders.delete(holder);
		}

		if (this.total > this.peak) {
			this.peak = this.total;
		}

		if (this.total > this.limit && !this.shedding) {
			this.shedOver();
		}
	}

	stats(): BufferStats {
		return {peakBytes: this.peak, budgetBytes: this.limit, overBudget: this.shed};
	}

	// The largest first, down to 1/16 below the limit: shedding to just under it would fail one
	// more client on nearly every read once a thousand hostile streams sit at the limit.
	private shedOver(): void {
		this.shedding = true;
		try {
			const target = this.limit - Math.floor(this.limit / 16);
			const largest = [...this.holders].sort((a, b) => b.held - a.held);
			for (const holder of largest) {
				if (this.total <= target) {
					break;
				}

				const {held} = holder;
				this.holders.delete(holder);
				holder.held = 0;
				this.total -= held;
				this.shed++;
				holder.overBudget(`the clients' partial events together passed --max-buffered ${formatBytes(this.limit)}; this client held ${formatBytes(held)}, among the most`);
			}
		} finally {
			this.shedding = false;
		}
	}
}

export function formatBytes(bytes: number): string {
	if (bytes >= MiB) {
		return `${Number((bytes / MiB).toFixed(1))} MiB`;
	}

	return bytes >= 1024 ? `${Number((bytes / 1024).toFixed(1))} KiB` : `${bytes} B`;
}
