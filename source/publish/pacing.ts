/** Waits until `time` (performance.now() clock) or until `stop` aborts: the pacing of both publishers. */
export async function sleepUntil(time: number, stop?: AbortSignal): Promise<void> {
	const wait = time - performance.now();
	if (wait > 1 && !stop?.aborted) {
		await new Promise<void>(resolve => {
			const timer = setTimeout(done, wait);
			function done(): void {
				clearTimeout(timer);
				stop?.removeEventListener('abort', done);
				resolve();
			}

			stop?.addEventListener('abort', done, {once: true});
		});
	}
}
