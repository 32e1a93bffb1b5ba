type Waiter<T> = {pending: Set<number>; results: Map<number, T>; done(): void};

/**
 * Answers the primary of `serve --workers N` waits for (server/cluster.ts): one from each worker
 * asked, keyed by request number, each wait bounded; a worker that died answers nothing more.
 */
export class Replies<T> {
	readonly #waiters = new Map<number, Waiter<T>>();

	/** Waits for an answer from each of the workers numbered `from` (bounded); resolves with those that came. */
	async gather(key: number, from: readonly number[], timeoutMs: number): Promise<Map<number, T>> {
		return new Promise(resolve => {
			const results = new Map<number, T>();
			const waiter: Waiter<T> = {
				pending: new Set(from),
				results,
				done: () => {
					clearTimeout(timer);
					this.#waiters.delete(key);
					resolve(results);
				},
			};
			const timer = setTimeout(() => waiter.done(), timeoutMs);
			this.#waiters.set(key, waiter);
			if (waiter.pending.size === 0) {
				waiter.done();
			}
		});
	}

	answer(key: number, from: number, value: T): void {
		const waiter = this.#waiters.get(key);
		if (waiter?.pending.delete(from)) {
			waiter.results.set(from, value);
			if (waiter.pending.size === 0) {
				waiter.done();
			}
		}
	}

	/** Worker `from` died: stop waiting for it. */
	forget(from: number): void {
		for (const waiter of [...this.#waiters.values()]) {
			if (waiter.pending.delete(from) && waiter.pending.size === 0) {
				waiter.done();
			}
		}
	}
}
