/** Longest wait for a Redis reply before a message is delivered with a local id instead. */
export const commandTimeoutMs = 2000;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		promise,
		new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no reply from Redis within ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}
