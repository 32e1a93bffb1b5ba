import type {Client} from './types.js';

export type PoolOptions = {
	/** builds client number `id` (ids start at 1 and are never reused) */
	createClient(id: number): Client;
	/** gap between two client starts; 0 starts them all at once */
	startIntervalMs: number;
	/** called when every client has ended on its own (all got 204, say) and none waits to start */
	onAllFinished?: () => void;
};

export type Pool = {
	/** Start `count` more clients, spread by the start interval. */
	add(count: number): void;
	/** Stop the `count` most recently started clients. */
	remove(count: number): Promise<void>;
	/** Stop the `count` longest-running clients (churn: the newest ones have only just opened). */
	removeOldest(count: number): Promise<void>;
	/** Each started client, oldest first. */
	forEach(fn: (client: Client) => void): void;
	/** Every started client drops its connection at once and reconnects as usual (the storm). */
	dropAll(): void;
	/** Stop everything, including clients still waiting to start. */
	stop(): Promise<void>;
	/** clients started or waiting to start, not yet removed */
	readonly size: number;
};

/** Clients started per event-loop turn when there is no interval, so a big ramp doesn't freeze I/O. */
const burst = 250;

/**
 * Holds the run's clients and ramps them up. Starts are scheduled on one timer rather than a
 * timer per client, catching up in bursts when the interval is shorter than the timer can fire.
 */
export function createPool({createClient, startIntervalMs, onAllFinished}: PoolOptions): Pool {
	const active: Client[] = [];
	let nextId = 1;
	let waiting = 0;
	let timer: NodeJS.Timeout | undefined;
	let rampStartedAt = 0;
	let startedInRamp = 0;
	let stopped = false;

	function startOne(): void {
		const client = createClient(nextId++);
		active.push(client);
		void client.start().then(() => {
			const index = active.indexOf(client);
			if (stopped || index === -1) {
				return; // stopped or removed by us, not finished on its own
			}

			active.splice(index, 1);
			if (active.length === 0 && waiting === 0) {
				onAllFinished?.();
			}
		});
	}

	function pump(): void {
		timer = undefined;
		if (stopped) {
			return;
		}

		const due = startIntervalMs === 0
			? startedInRamp + burst
			: Math.floor((performance.now() - rampStartedAt) / startIntervalMs) + 1;
		let started = 0;
		while (waiting > 0 && startedInRamp < due && started < burst) {
			waiting--;
			startedInRamp++;
			started++;
			startOne();
		}

		if (waiting > 0) {
			const wait = startIntervalMs === 0 || started === burst ? 0 : Math.max(1, startIntervalMs);
			timer = wait === 0 ? setTimeout(pump, 0) : setTimeout(pump, wait);
		}
	}

	return {
		add(count) {
			if (stopped || count <= 0) {
				return;
			}

			if (waiting === 0) {
				rampStartedAt = performance.now();
				startedInRamp = 0;
			}

			waiting += count;
			if (!timer) {
				pump();
			}
		},
		async remove(count) {
			const fromQueue = Math.min(waiting, count);
			waiting -= fromQueue;
			const removed = active.splice(Math.max(0, active.length - (count - fromQueue)));
			await Promise.all(removed.map(async client => client.stop()));
		},
		async removeOldest(count) {
			const removed = active.splice(0, Math.min(count, active.length));
			await Promise.all(removed.map(async client => client.stop()));
		},
		forEach(fn) {
			for (const client of active) {
				fn(client);
			}
		},
		dropAll() {
			for (const client of active) {
				client.drop();
			}
		},
		async stop() {
			stopped = true;
			waiting = 0;
			clearTimeout(timer);
			const all = active.splice(0);
			await Promise.all(all.map(async client => client.stop()));
		},
		get size() {
			return active.length + waiting;
		},
	};
}
