import type {Pool} from '../engine/pool.js';
import {DurationHistogram} from '../metrics/histogram.js';
import {ClientFlags} from './client-flags.js';
import type {ChurnSummary} from './shape-summary.js';

/**
 * --scenario churn: once every client is open, close the longest-running ones and start as many
 * new ones, `rate` a second, and count the replacements: closed, reopened (with their connect
 * times, which is connect latency under churn) and failed.
 */
export class ChurnTracker {
	private from: number | undefined;
	/** clients from this id on are replacements */
	private firstId = Number.POSITIVE_INFINITY;
	private churned = 0;
	private readonly counts = {closed: 0, reopened: 0, failed: 0};
	private readonly connect = new DurationHistogram();
	/** per replacement: 1 while it has not opened yet */
	private readonly pending = new ClientFlags();

	constructor(private readonly rate: number) {}

	get churning(): boolean {
		return this.from !== undefined;
	}

	/** Begin now; `nextId` is the first id a replacement will have. */
	start(now: number, nextId: number): void {
		this.from = now;
		this.firstId = nextId;
	}

	tick(now: number, pool: Pool): void {
		if (this.from === undefined) {
			return;
		}

		const due = Math.floor(((now - this.from) / 1000) * this.rate) - this.churned;
		if (due > 0) {
			this.churned += due;
			this.counts.closed += Math.min(due, pool.size);
			void pool.removeOldest(due);
			pool.add(due);
		}
	}

	/** a client's first attempt */
	started(id: number): void {
		if (id >= this.firstId) {
			this.pending.set(id, 1);
		}
	}

	opened(id: number, connectMs: number): void {
		if (this.pending.get(id) === 1) {
			this.pending.set(id, 0);
			this.counts.reopened++;
			this.connect.record(connectMs);
		}
	}

	failed(id: number): void {
		if (this.pending.get(id) === 1) {
			this.counts.failed++;
		}
	}

	status(openNow: number, clients: number): string {
		return this.from === undefined ? `connecting ${openNow}/${clients}` : `churn ${this.counts.closed} closed, ${this.counts.reopened} reopened, ${this.counts.failed} failed`;
	}

	summary(): ChurnSummary {
		return {rate: this.rate, ...this.counts, connectMs: this.connect.summary() ?? null};
	}
}
