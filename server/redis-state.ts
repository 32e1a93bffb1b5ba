import type {Logger} from './logger.js';

/**
 * `connecting` until the first attempt ends; `connected` while both connections are up and
 * the subscription is confirmed; `reconnecting` while ioredis retries (Redis unreachable at
 * start, or lost mid-run); `down` once the bridge is closed.
 */
export type RedisState = 'connecting' | 'connected' | 'reconnecting' | 'down';

/**
 * The bridge's state, derived from what its two connections report: the bridge sets the flags
 * and calls update() on every connection event.
 */
export class RedisStateMachine {
	subscribed = false;
	failedOnce = false;
	closed = false;
	lastError: string | undefined;
	/** Times the connection came back after being lost. */
	reconnects = 0;
	/** When the current state began. */
	since = new Date();
	private everConnected = false;
	private lastState: RedisState = 'connecting';
	private readonly waiters = new Set<() => void>();

	constructor(
		/** Whether the command connection is ready. */
		private readonly commandsReady: () => boolean,
		private readonly logger: Logger,
		private readonly where: {readonly url: string; readonly channels: readonly string[]},
	) {}

	/** Resolves true once connected, false if that has not happened within `timeoutMs`. */
	async ready(timeoutMs: number): Promise<boolean> {
		if (this.state === 'connected') {
			return true;
		}

		return new Promise<boolean>(resolve => {
			const done = (): void => {
				clearTimeout(timer);
				this.waiters.delete(done);
				resolve(this.state === 'connected');
			};

			const timer = setTimeout(done, timeoutMs);
			this.waiters.add(done);
		});
	}

	get state(): RedisState {
		if (this.closed) {
			return 'down';
		}

		if (this.subscribed && this.commandsReady()) {
			return 'connected';
		}

		return this.everConnected || this.failedOnce ? 'reconnecting' : 'connecting';
	}

	/** Notes state changes: logs them once (not every retry), counts reconnects, wakes ready(). */
	update(): void {
		const state = this.state;
		if (state === this.lastState) {
			return;
		}

		const previous = this.lastState;
		this.lastState = state;
		this.since = new Date();
		const {logger} = this;
		if (state === 'connected') {
			if (this.everConnected) {
				this.reconnects++;
				logger.info('redis reconnected; fan-out resumed', {url: this.where.url});
			} else {
				logger.info('redis connected', {url: this.where.url, channels: this.where.channels.join(',')});
			}

			this.everConnected = true;
		} else if (state === 'reconnecting') {
			logger.warn(previous === 'connected' ? 'redis connection lost; delivering locally while reconnecting' : 'redis unreachable; delivering locally while retrying', {
				url: this.where.url,
				error: this.lastError,
			});
		}

		for (const wake of [...this.waiters]) {
			wake();
		}
	}
}
