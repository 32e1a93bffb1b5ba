import {request, type Dispatcher} from 'undici';
import {reconnectDelay, sleep} from './backoff.js';
import {createSseParser, SseParseError} from './sse-parser.js';
import type {Client, ClientSink, ErrorKind} from './types.js';
import {extractLatency} from './latency.js';

export type SseClientOptions = {
	id: number;
	url: string;
	headers: Readonly<Record<string, string>>;
	dispatcher: Dispatcher;
	sink: ClientSink;
	/** no response headers within this long counts as a `timeout` error */
	timeoutMs: number;
	/** reconnection time until the server sends `retry:` */
	retryMs: number;
	maxBackoffMs: number;
	maxEventSize: number;
};

const eventStreamType = /^text\/event-stream\s*(?:;|$)/i;

class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly status?: number) {
		super(message);
	}
}

/**
 * One EventSource-like connection that keeps itself alive: it reconnects after `retry` when
 * an open stream ends, backs off exponentially while attempts fail, sends Last-Event-ID, and
 * stops for good on 204 or `stop()`. Everything it sees goes to the sink.
 */
export function createSseClient(options: SseClientOptions): Client {
	const {id, url, sink} = options;
	const stopController = new AbortController();
	let retryMs = options.retryMs;
	let running: Promise<void> | undefined;

	const parser = createSseParser({
		onEvent(event) {
			sink.emit({kind: 'event', client: id, type: event.type, data: event.data, id: event.id, bytes: event.data.length, latencyMs: extractLatency(event.data)});
		},
		onComment(text) {
			sink.emit({kind: 'comment', client: id, text});
		},
		onRetry(ms) {
			retryMs = ms;
			sink.emit({kind: 'retry', client: id, retryMs: ms});
		},
	}, {maxEventSize: options.maxEventSize});

	/** Resolves 'ended' when the server ended the stream, 'no-content' on 204; throws AttemptError otherwise. */
	async function attempt(): Promise<'ended' | 'no-content'> {
		const attemptController = new AbortController();
		const abortAttempt = () => {
			attemptController.abort();
		};

		stopController.signal.addEventListener('abort', abortAttempt, {once: true});
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			attemptController.abort();
		}, options.timeoutMs);
		const started = performance.now();
		try {
			const headers: Record<string, string> = {accept: 'text/event-stream', 'cache-control': 'no-cache', ...options.headers};
			if (parser.lastEventId !== '') {
				headers['last-event-id'] = parser.lastEventId;
			}

			let response: Dispatcher.ResponseData;
			try {
				response = await request(url, {method: 'GET', headers, dispatcher: options.dispatcher, signal: attemptController.signal});
			} catch (error) {
				if (timedOut) {
					throw new AttemptError('timeout', `no response headers within ${options.timeoutMs}ms`);
				}

				throw new AttemptError('connect', describe(error));
			} finally {
				clearTimeout(timer);
			}

			const {statusCode, body} = response;
			if (statusCode === 204) {
				await body.dump().catch(() => undefined);
				return 'no-content';
			}

			if (statusCode !== 200) {
				await body.dump().catch(() => undefined);
				throw new AttemptError('status', `HTTP ${statusCode}`, statusCode);
			}

			const contentType = String(response.headers['content-type'] ?? '');
			if (!eventStreamType.test(contentType)) {
				await body.dump().catch(() => undefined);
				throw new AttemptError('content-type', `expected text/event-stream, got "${contentType || 'no content type'}"`, statusCode);
			}

			parser.reset();
			sink.emit({kind: 'open', client: id, status: statusCode, connectMs: performance.now() - started, url});
			await readStream(body);
			return 'ended';
		} finally {
			clearTimeout(timer);
			stopController.signal.removeEventListener('abort', abortAttempt);
		}
	}

	async function readStream(body: Dispatcher.ResponseData['body']): Promise<void> {
		return new Promise((resolve, reject) => {
			body.on('data', (chunk: Buffer) => {
				sink.bytes(id, chunk.length);
				try {
					parser.feed(chunk);
				} catch (error) {
					body.destroy();
					reject(error instanceof SseParseError
						? new AttemptError('too-large', error.message)
						: error);
				}
			});
			body.once('end', () => {
				parser.end();
				resolve();
			});
			body.on('error', error => {
				reject(new AttemptError('stream', describe(error)));
			});
		});
	}

	async function loop(): Promise<void> {
		const {signal} = stopController;
		let attempts = 0;
		let failures = 0;
		while (!signal.aborted) {
			attempts++;
			sink.emit({kind: 'connecting', client: id, attempt: attempts});
			try {
				// eslint-disable-next-line no-await-in-loop
				const outcome = await attempt();
				if (outcome === 'no-content') {
					sink.emit({kind: 'close', client: id, reason: 'server answered 204 No Content: not reconnecting', final: true});
					return;
				}

				failures = 0;
				sink.emit({kind: 'close', client: id, reason: 'stream ended by server', final: false});
			} catch (error) {
				if (signal.aborted) {
					break;
				}

				const failure = error instanceof AttemptError ? error : new AttemptError('stream', describe(error));
				// A stream that opened and then broke reconnects after `retry`, like a clean end.
				const opened = failure.kind === 'stream' || failure.kind === 'too-large';
				failures = opened ? 0 : failures + 1;
				sink.emit({kind: 'error', client: id, error: failure.kind, message: failure.message, ...(failure.status === undefined ? {} : {status: failure.status})});
			}

			if (signal.aborted) {
				break;
			}

			const delayMs = reconnectDelay(failures, retryMs, options.maxBackoffMs);
			sink.emit({kind: 'reconnect', client: id, delayMs, attempt: attempts + 1, lastEventId: parser.lastEventId});
			// eslint-disable-next-line no-await-in-loop
			await sleep(delayMs, signal);
		}

		sink.emit({kind: 'close', client: id, reason: 'stopped', final: true});
	}

	return {
		id,
		async start() {
			running ??= loop();
			return running;
		},
		async stop() {
			stopController.abort();
			await running;
		},
	};
}

function describe(error: unknown): string {
	if (error instanceof Error) {
		const cause = (error as {cause?: unknown}).cause;
		const code = (error as {code?: string}).code;
		if (cause instanceof Error && cause.message && !error.message.includes(cause.message)) {
			return `${error.message}: ${cause.message}`;
		}

		return error.message || code || error.name;
	}

	return String(error);
}
