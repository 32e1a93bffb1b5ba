import type {LogLevel} from '../config.js';

export type LogLine = {readonly seq: number; readonly at: number; readonly level: LogLevel; readonly text: string};

/** What the log pane reads. */
export type LogView = Pick<LogBuffer, 'latest' | 'suppressed'>;

export type LogBufferOptions = {
	/** lines kept; the pane shows the newest few */
	capacity?: number;
	/** lines accepted per level per second of run time; the rest are only counted */
	perSecond?: Partial<Record<LogLevel, number>>;
};

/**
 * The log pane's source: a bounded ring the presenter writes on every event and the view
 * reads on its next tick, so a flood of events costs a counter bump each and never a React
 * update. Callers ask `accept` first so a suppressed line is never even formatted.
 */
export class LogBuffer {
	readonly #capacity: number;
	readonly #limits: Record<LogLevel, number>;
	readonly #lines: Array<LogLine | undefined>;
	#next = 0;
	#seq = 0;
	#window = -1;
	readonly #used: Record<LogLevel, number> = {error: 0, warn: 0, info: 0, debug: 0};
	#suppressed = 0;

	constructor({capacity = 200, perSecond = {}}: LogBufferOptions = {}) {
		this.#capacity = capacity;
		// Errors and warnings get a bigger budget than chatter, but 10,000 clients failing at
		// once still costs at most this many formatted lines a second.
		this.#limits = {error: 50, warn: 50, info: 20, debug: 20, ...perSecond};
		this.#lines = Array.from({length: capacity});
	}

	/** Whether a line at `level` logged at run time `at` (ms) fits this second's budget; counts it if not. */
	accept(level: LogLevel, at: number): boolean {
		const window = Math.floor(at / 1000);
		if (window !== this.#window) {
			this.#window = window;
			this.#used.error = 0;
			this.#used.warn = 0;
			this.#used.info = 0;
			this.#used.debug = 0;
		}

		if (this.#used[level] >= this.#limits[level]) {
			this.#suppressed++;
			return false;
		}

		this.#used[level]++;
		return true;
	}

	push(level: LogLevel, text: string, at: number): void {
		this.#lines[this.#next] = {seq: ++this.#seq, at, level, text};
		this.#next = (this.#next + 1) % this.#capacity;
	}

	/** The newest `count` lines, oldest first. */
	latest(count: number): LogLine[] {
		const out: LogLine[] = [];
		const n = Math.min(count, this.#seq, this.#capacity);
		for (let index = n; index >= 1; index--) {
			const line = this.#lines[(this.#next - index + this.#capacity) % this.#capacity];
			if (line) {
				out.push(line);
			}
		}

		return out;
	}

	/** lines dropped by the rate limit so far */
	get suppressed(): number {
		return this.#suppressed;
	}

	/** lines pushed so far */
	get total(): number {
		return this.#seq;
	}
}
