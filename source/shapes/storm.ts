import type {ErrorKind} from '../engine/types.js';
import {DurationHistogram} from '../metrics/histogram.js';
import {ClientFlags} from './client-flags.js';
import type {StormSummary} from './shape-summary.js';

/** A server restart: this share of the open clients dropped within `restartWindowMs`. */
const restartShare = 0.5;
export const restartWindowMs = 2000;

export type Loss = {gaps: number; notResumed: number};

export type StormDeps = {
	/** --storm-at, or undefined: watch for a server restart */
	stormAtMs: number | undefined;
	/** what delivery accounting has lost so far */
	loss(): Loss;
	log(text: string): void;
	/** every dropped client is back */
	onAllBack(): void;
};

/**
 * --scenario storm: every client dropped at once (by us at --storm-at, or by a server restart,
 * seen as half of the open clients dropping within 2 s), and how they come back: the time until
 * 50 %, 99 % and 100 % of them are open again, each one's recovery time, the attempts that failed
 * meanwhile, and what delivery accounting lost over the storm.
 */
export class StormTracker {
	private at: number | undefined;
	private trigger: StormSummary['trigger'] = null;
	/** per client: 0 not dropped, 1 dropped and not back, 2 back */
	private readonly dropped = new ClientFlags();
	private droppedCount = 0;
	private backCount = 0;
	/** each dropped client's time back (ms after the storm); the 50/99/100 % marks are read from them */
	private readonly backTimes: number[] = [];
	private readonly recovery = new DurationHistogram();
	private readonly errors: Partial<Record<ErrorKind, number>> = {};
	private errorTotal = 0;
	private lostBefore: Loss = {gaps: 0, notResumed: 0};
	private lostAfter: Loss | undefined;
	private readonly recentDrops: Array<{at: number; id: number}> = [];
	private windowLoss: Loss = {gaps: 0, notResumed: 0};

	constructor(private readonly deps: StormDeps) {}

	/** --storm-at: we drop these open clients now. */
	dropAll(at: number, ids: number[]): void {
		this.begin(at, 'storm-at', ids);
	}

	opened(id: number, now: number): void {
		if (this.dropped.get(id) !== 1) {
			return;
		}

		this.dropped.set(id, 2);
		this.backCount++;
		this.recovery.record(now - this.at!);
		// Worker processes report in batches, so opens may arrive out of time order: keep them all.
		this.backTimes.push(now - this.at!);
		if (this.backCount === this.droppedCount) {
			this.lostAfter = this.deps.loss();
			this.deps.log(`storm: all ${this.droppedCount} clients back after ${Math.round(Math.max(...this.backTimes))}ms`);
			this.deps.onAllBack();
		}
	}

	failed(id: number, error: ErrorKind): void {
		if (this.dropped.get(id) === 1) {
			this.errorTotal++;
			this.errors[error] = (this.errors[error] ?? 0) + 1;
		}
	}

	/** An open client lost its connection (not a final close). `peakOpen`: the most ever open at once. */
	lost(id: number, now: number, peakOpen: number): void {
		if (this.at === undefined && this.deps.stormAtMs === undefined) {
			this.watchForRestart(id, now, peakOpen);
		} else if (this.at !== undefined && this.backCount < this.droppedCount && this.dropped.get(id) === 0) {
			// A restart reaches some clients a little later than the first ones.
			this.dropped.set(id, 1);
			this.droppedCount++;
		}
	}

	status(openNow: number): string {
		if (this.at === undefined) {
			return this.deps.stormAtMs === undefined ? `watching for a server restart (${openNow} open)` : `storm at ${Math.round(this.deps.stormAtMs / 1000)}s (${openNow} open)`;
		}

		return `storm: ${this.droppedCount === 0 ? 100 : Math.floor((this.backCount / this.droppedCount) * 100)}% back (${this.backCount}/${this.droppedCount})`;
	}

	summary(): StormSummary {
		const lost = this.at === undefined ? {gaps: 0, notResumed: 0} : this.lostAfter ?? this.deps.loss();
		const round = (value: number | null) => value === null ? null : Math.round(value);
		return {
			trigger: this.trigger,
			atMs: round(this.at ?? null),
			dropped: this.droppedCount,
			back: this.backCount,
			backMs: this.backMarks(),
			recoveryMs: this.recovery.summary() ?? null,
			failedAttempts: {total: this.errorTotal, byKind: this.errors},
			lost: {gaps: lost.gaps - this.lostBefore.gaps, notResumed: lost.notResumed - this.lostBefore.notResumed},
		};
	}

	/** When 50 %, 99 % and 100 % of the dropped clients were back: the k-th earliest time back, k = ceil(share x dropped). */
	private backMarks(): StormSummary['backMs'] {
		const sorted = [...this.backTimes].sort((a, b) => a - b);
		const mark = (share: number): number | null => {
			const k = Math.ceil(share * this.droppedCount);
			return k >= 1 && k <= sorted.length ? Math.round(sorted[k - 1]!) : null;
		};

		return {p50: mark(0.5), p99: mark(0.99), p100: mark(1)};
	}

	private begin(at: number, trigger: NonNullable<StormSummary['trigger']>, ids: number[], loss = this.deps.loss()): void {
		this.at = at;
		this.trigger = trigger;
		this.lostBefore = loss;
		for (const id of ids) {
			if (this.dropped.get(id) === 0) {
				this.dropped.set(id, 1);
				this.droppedCount++;
			}
		}

		this.deps.log(trigger === 'storm-at'
			? `storm: dropping all ${this.droppedCount} open connections`
			: `storm: ${this.droppedCount} clients dropped within ${restartWindowMs / 1000}s (a server restart?); timing their return`);
	}

	private watchForRestart(id: number, now: number, peakOpen: number): void {
		const drops = this.recentDrops;
		while (drops.length > 0 && now - drops[0]!.at > restartWindowMs) {
			drops.shift();
		}

		if (drops.length === 0) {
			// A window opens: what delivery has lost so far, in case this turns out to be the storm.
			this.windowLoss = this.deps.loss();
		}

		drops.push({at: now, id});
		if (drops.length >= Math.max(1, Math.ceil(peakOpen * restartShare))) {
			this.begin(drops[0]!.at, 'server-restart', drops.map(drop => drop.id), this.windowLoss);
			drops.length = 0;
		}
	}
}
