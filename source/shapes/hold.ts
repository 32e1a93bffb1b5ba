import type {HoldSummary, MemorySummary} from './shape-summary.js';

/** Let the heap and socket buffers settle after the last open before reading RSS. */
const memorySettleMs = 1000;

export type HoldDeps = {
	/** RSS in bytes of every process holding clients */
	rss(): number;
	/** the same before any client */
	baselineRss(): number;
	/** how late "heard" may come (worker processes batch it): added to the stale threshold */
	heardLagMs: number;
};

/**
 * --scenario hold: once every client is open (or the connect deadline passed), hold them idle:
 * RSS per connection (read once, after the settle time), heartbeats, and the clients that went
 * stale (nothing heard for more than twice the mean heartbeat interval).
 */
export class HoldTracker {
	private from: number | undefined;
	private memory: MemorySummary | undefined;
	private heartbeats = 0;
	private readonly lastHeard = new Map<number, number>();

	constructor(private readonly deps: HoldDeps) {}

	get holding(): boolean {
		return this.from !== undefined;
	}

	start(at: number): void {
		this.from = at;
	}

	/** A client was heard from (an event, or a heartbeat when `heartbeat`). */
	heard(id: number, now: number, heartbeat: boolean): void {
		if (this.from !== undefined) {
			this.heartbeats += heartbeat ? 1 : 0;
			this.lastHeard.set(id, now);
		}
	}

	/** The same, batched by a worker process. */
	heardMany(ids: readonly number[], heartbeats: number, now: number): void {
		if (this.from !== undefined) {
			this.heartbeats += heartbeats;
			for (const id of ids) {
				this.lastHeard.set(id, now);
			}
		}
	}

	tick(now: number, openNow: number): void {
		if (this.memory === undefined && this.from !== undefined && now - this.from >= memorySettleMs) {
			this.memory = this.measure(openNow);
		}
	}

	memorySummary(openNow: number): MemorySummary {
		return this.memory ?? this.measure(openNow);
	}

	summary(now: number, allOpenAt: number | undefined, startedAt: number, openNow: number, forEachOpen: (fn: (id: number) => void) => void): HoldSummary {
		const heldMs = this.from === undefined ? 0 : now - this.from;
		const heartbeatIntervalMs = this.heartbeats === 0 || openNow === 0 ? null : Math.round((heldMs * openNow) / this.heartbeats);
		let stale = 0;
		if (heartbeatIntervalMs !== null) {
			forEachOpen(id => {
				if (now - (this.lastHeard.get(id) ?? this.from ?? now) > (2 * heartbeatIntervalMs) + this.deps.heardLagMs) {
					stale++;
				}
			});
		}

		return {connectAllMs: allOpenAt === undefined ? null : Math.round(allOpenAt - startedAt), heldMs: Math.round(heldMs), openAtEnd: openNow, heartbeats: this.heartbeats, heartbeatIntervalMs, stale};
	}

	status(openNow: number, clients: number): string {
		return this.from === undefined ? `connecting ${openNow}/${clients}` : `holding ${openNow}/${clients}${this.memory?.perConnectionBytes ? `, ${Math.round(this.memory.perConnectionBytes / 1024)} KiB/conn` : ''}`;
	}

	private measure(openNow: number): MemorySummary {
		const rssBytes = this.deps.rss();
		const baselineBytes = this.deps.baselineRss();
		return {rssBytes, baselineBytes, connections: openNow, perConnectionBytes: openNow === 0 ? null : Math.round((rssBytes - baselineBytes) / openNow)};
	}
}
