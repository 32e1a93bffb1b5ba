import type {Config} from '../config.js';
import type {ClientEvent, ErrorKind} from '../engine/types.js';
import type {ShapeEvent} from '../shapes/driver.js';

/**
 * The load shapes (--stages, --connect-rate, hold, churn, storm) are driven from the parent, which
 * sees every client of every worker only through merged numbers. What the driver needs besides
 * those is each client's life: when it connects, opens (and how fast), fails, reconnects and
 * closes; and for the hold, when each was last heard from. A worker forwards just that, batched
 * every `flushMs` with each event's own time, never a message's payload, so a busy stream costs
 * the IPC channel nothing but a bit per client per second.
 *
 * `feed`: 'none' (no shape: nothing is forwarded), 'lifecycle', or 'hold' (lifecycle plus who was heard).
 */
export type ShapeFeed = 'none' | 'lifecycle' | 'hold';

/** What a run's shape needs forwarded: the stage line, churn and storm read lives; the hold, who was heard too. */
export function feedFor(config: Pick<Config, 'scenario' | 'shape'>): ShapeFeed {
	if (config.scenario === 'hold') {
		return 'hold';
	}

	return config.shape.stages !== undefined || config.scenario === 'churn' || config.scenario === 'storm' ? 'lifecycle' : 'none';
}

/** Where forwarded lives go (the shape driver): times in the store's elapsed ms. */
export type ShapeFeedTarget = {
	observe(event: ShapeEvent, now: number): void;
	heard(ids: readonly number[], heartbeats: number, now: number): void;
};

/** [kind, global client id, epoch ms, extra]: extra is the connect time of an open, the error's kind, 1 for a final close */
export type LifecycleRecord = [kind: number, client: number, at: number, extra: number | ErrorKind];

const kinds = ['connecting', 'open', 'error', 'reconnect', 'close'] as const;
const kindIndex = new Map<string, number>(kinds.map((kind, index) => [kind, index]));

/** How often a worker sends the lives it saw: short, as the storm's times to 50/99/100 % come from them. */
export const lifecycleFlushMs = 20;
export const heardFlushMs = 1000;

/** The worker's side: observe every client event, flush records and the heard set on timers. */
export class LifecycleForwarder {
	private records: LifecycleRecord[] = [];
	private heard = new Uint8Array(1024);
	private heardIds: number[] = [];
	private heartbeats = 0;

	constructor(
		private readonly feed: ShapeFeed,
		private readonly globalId: (local: number) => number,
		private readonly now: () => number,
	) {}

	/** `at`: when it happened, epoch ms (default: now); an agent passes its worker processes' events on with their own times */
	observe(event: ClientEvent | ShapeEvent, at = this.now()): void {
		const kind = kindIndex.get(event.kind);
		if (kind !== undefined) {
			const extra = event.kind === 'open' ? event.connectMs : (event.kind === 'error' ? event.error : (event.kind === 'close' && event.final ? 1 : 0));
			this.records.push([kind, this.globalId(event.client), at, extra]);
			return;
		}

		if (this.feed === 'hold' && (event.kind === 'event' || event.kind === 'heartbeat' || event.kind === 'comment')) {
			if (event.kind !== 'event') {
				this.heartbeats++;
			}

			this.markHeard(event.client);
		}
	}

	/** Clients heard from as a worker process reported them (an agent with workers: ids already global). */
	heardMany(ids: readonly number[], heartbeats: number): void {
		this.heartbeats += heartbeats;
		for (const id of ids) {
			this.markHeard(id);
		}
	}

	private markHeard(local: number): void {
		if (local >= this.heard.length) {
			const grown = new Uint8Array(Math.max(local + 1, this.heard.length * 2));
			grown.set(this.heard);
			this.heard = grown;
		}

		if (this.heard[local] === 0) {
			this.heard[local] = 1;
			this.heardIds.push(local);
		}
	}

	/** the records since the last call (empty: nothing to send) */
	takeRecords(): LifecycleRecord[] {
		const taken = this.records;
		this.records = [];
		return taken;
	}

	/** the clients heard from since the last call, by global id, and the heartbeats among that */
	takeHeard(): {ids: number[]; heartbeats: number} {
		const ids = this.heardIds.map(local => {
			this.heard[local] = 0;
			return this.globalId(local);
		});
		const {heartbeats} = this;
		this.heardIds = [];
		this.heartbeats = 0;
		return {ids, heartbeats};
	}
}

/** The parent's side: a record back to what the driver observes. */
export function shapeEventOf([kind, client, , extra]: LifecycleRecord): ShapeEvent {
	switch (kinds[kind]) {
		case 'open': {
			return {kind: 'open', client, connectMs: Number(extra)};
		}

		case 'error': {
			return {kind: 'error', client, error: extra as ErrorKind};
		}

		case 'close': {
			return {kind: 'close', client, final: extra === 1};
		}

		case 'reconnect': {
			return {kind: 'reconnect', client};
		}

		default: {
			return {kind: 'connecting', client};
		}
	}
}
