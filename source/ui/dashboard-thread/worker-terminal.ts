import {EventEmitter} from 'node:events';

/**
 * The terminal as Ink sees it inside the dashboard thread. The real one belongs to the main
 * thread: what Ink writes is posted there in one message per turn (Ink writes a frame in up
 * to three calls), and the size follows the main thread's resize messages.
 */
export class WorkerStdout extends EventEmitter {
	readonly isTTY = true;
	columns: number;
	rows: number;
	readonly #send: (data: string) => void;
	#pending = '';
	readonly #flush = () => {
		const data = this.#pending;
		this.#pending = '';
		this.#send(data);
	};

	constructor(columns: number, rows: number, send: (data: string) => void) {
		super();
		this.columns = columns;
		this.rows = rows;
		this.#send = send;
	}

	write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
		if (this.#pending === '') {
			queueMicrotask(this.#flush);
		}

		this.#pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
		const done = typeof encoding === 'function' ? encoding : callback;
		if (typeof done === 'function') {
			queueMicrotask(done as () => void);
		}

		return true;
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

/**
 * The keyboard as Ink reads it (the 'readable' event and read()): keys arrive from the main
 * thread, which holds the TTY in raw mode; raw mode here is the main thread's business.
 */
export class WorkerStdin extends EventEmitter {
	readonly isTTY: boolean;
	#queued = '';

	constructor(isTTY: boolean) {
		super();
		this.isTTY = isTTY;
		// Keys typed before Ink listens (the thread is still loading) are read when it starts to.
		this.on('newListener', (name: string) => {
			if (name === 'readable' && this.#queued !== '') {
				queueMicrotask(() => this.emit('readable'));
			}
		});
	}

	push(data: string): void {
		this.#queued += data;
		this.emit('readable');
	}

	read(): string | null {
		if (this.#queued === '') {
			return null;
		}

		const data = this.#queued;
		this.#queued = '';
		return data;
	}

	setEncoding(): this {
		return this;
	}

	setRawMode(): this {
		return this;
	}

	ref(): this {
		return this;
	}

	unref(): this {
		return this;
	}

	resume(): this {
		return this;
	}

	pause(): this {
		return this;
	}
}
