/**
 * The shortest reconnection time a server's `retry:` may set (--min-retry). `retry: 0` from a
 * server that closes after each event made 20 clients reconnect 40,000 times in 10 s; 100 ms
 * keeps that to 10 a second per client, still far below any delay a real deployment asks for.
 */
export const defaultMinRetryMs = 100;

/**
 * Delay before the next connection attempt.
 *
 * After a stream that was open ends or breaks (`failures` = 0) the client waits exactly the
 * reconnection time, as EventSource does (the server's `retry:` or our default). Each further
 * failed attempt doubles it up to `maxMs`, with "equal jitter": half fixed, half random, so a
 * thousand clients that failed together do not come back together, and every delay is still at
 * least as long as the largest possible delay before it.
 */
export function reconnectDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
	if (failures <= 0) {
		return baseMs;
	}

	const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
	return Math.round((ceiling / 2) + (random() * ceiling / 2));
}

/** A sleep that ends early, resolving `false`, when the signal aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) {
		return false;
	}

	return new Promise(resolve => {
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};

		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		signal.addEventListener('abort', onAbort, {once: true});
	});
}
