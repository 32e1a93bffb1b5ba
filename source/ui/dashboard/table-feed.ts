import type {AgentRow} from '../../agents/table.js';
import type {ClientRow, Snapshot} from '../../metrics/snapshot.js';
import type {Comparison, ThresholdResult} from '../../reporters/summary.js';
import type {RowContext} from './columns.js';
import {StaleTracker} from './stale.js';

/** The part of the MetricsStore the dashboard reads: a snapshot per tick, and the rows behind it. */
export type DashboardSource = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): Snapshot;
	/** refills `reuse`'s row objects in place when given (see MetricsStore.clientRows) */
	clientRows(reuse?: ClientRow[]): ClientRow[];
	/** --threshold results as of the latest snapshot; absent or empty: no thresholds line */
	thresholds?(): readonly ThresholdResult[];
	/** --target: the targets side by side as of the latest snapshot */
	compare?(): Comparison | undefined;
	/** --agents: the controller's per-agent rows as of the latest snapshot */
	agents?(): readonly AgentRow[] | undefined;
};

/** One snapshot with every row read, the stale rule fed, and the stale clients counted. */
export type TableData = {
	snapshot: Snapshot;
	rows: readonly ClientRow[];
	context: RowContext;
	staleCount: number;
};

/**
 * Reads the rows once per snapshot, outside React's render. The store's tick takes the
 * snapshot and this pass over every row (O(clients)) in its turn; React and Ink draw in the
 * next turn (a 0 ms timer), so one tick's work is two shorter blocks of the event loop, not
 * one long one the clients would wait behind.
 */
export class TableFeed {
	readonly #source: DashboardSource;
	readonly #stale = new StaleTracker();
	#current: TableData | undefined;
	// Two row buffers in turn: a read refills the one the previous snapshot did not use, so the
	// rows on screen never change under React, and (paused) a frozen frame keeps its buffer
	// because nothing is read while paused.
	readonly #buffers: [ClientRow[], ClientRow[]] = [[], []];
	#flip = 0;

	constructor(source: DashboardSource) {
		this.#source = source;
	}

	subscribe = (listener: () => void): (() => void) => {
		let pending: NodeJS.Timeout | undefined;
		const off = this.#source.subscribe(() => {
			this.getSnapshot();
			// A timer, not setImmediate: the loop runs its other due timers and polls sockets in between.
			pending ??= setTimeout(() => {
				pending = undefined;
				listener();
			}, 0);
		});
		return () => {
			off();
			clearTimeout(pending);
			pending = undefined;
		};
	};

	/** The data for the source's current snapshot (the same object until the snapshot changes). */
	getSnapshot = (): TableData => {
		const snapshot = this.#source.getSnapshot();
		if (this.#current?.snapshot !== snapshot) {
			this.#flip ^= 1;
			this.#current = this.read(snapshot, this.#source.clientRows(this.#buffers[this.#flip]));
		}

		return this.#current;
	};

	/** The data last read, without looking at the source (paused: the store goes on, the rows stay). */
	peek = (): TableData => this.#current ?? this.getSnapshot();

	/** `rows` at `snapshot` (also for a frozen frame: the stale rule ignores a repeated snapshot time). */
	read(snapshot: Snapshot, rows: readonly ClientRow[]): TableData {
		const stale = this.#stale;
		const now = snapshot.elapsedMs;
		stale.update(rows, now);
		const context: RowContext = {now, isStale: row => stale.isStale(row, now)};
		let staleCount = 0;
		for (const row of rows) {
			if (stale.isStale(row, now)) {
				staleCount++;
			}
		}

		return {snapshot, rows, context, staleCount};
	}
}
