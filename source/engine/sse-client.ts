import type {Dispatcher} from 'undici';
import {reconnectDelay} from './backoff.js';
import {createSseParser, SseParseError, type SseEvent, type SseParser, type SseParserCallbacks} from './sse-parser.js';
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

/** Redirects followed per attempt, as undici's redirect interceptor did (fetch allows 20). */
const maxRedirections = 10;

class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly status?: number) {
		super(message);
	}
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

type Outcome = 'ended' | 'no-content' | AttemptError;

type Target = {origin: string; path: string};

// Every client of a run has the same URL: parse it once, and share its origin and path strings.
let lastUrl: string | undefined;
let lastTarget: Target | undefined;

function parseTarget(url: string | URL): Target {
	const parsed = typeof url === 'string' ? new URL(url) : url;
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new Error(`unsupported protocol ${parsed.protocol} in ${parsed.href}`);
	}

	return {origin: parsed.origin, path: parsed.pathname + parsed.search};
}

function targetOf(url: string): Target {
	if (url !== lastUrl || lastTarget === undefined) {
		lastTarget = parseTarget(url);
		lastUrl = url;
	}

	return lastTarget;
}

/**
 * One EventSource-like connection that keeps itself alive: it reconnects after `retry` when
 * an open stream ends, backs off exponentially while attempts fail, sends Last-Event-ID, and
 * stops for good on 204 or `stop()`. Everything it sees goes to the sink.
 */
export function createSseClient(options: SseClientOptions): Client {
	return new SseClient(options);
}

// Memory per held stream matters here (10k+ streams per process), so the client is one object
// with methods, not a nest of closures: it is the parser's callback object too, each attempt is
// one small handler object for undici's dispatch() (no body Readable, no AbortController, no
// promise per attempt), and timers run only while waiting for headers or for the next attempt.
class SseClient implements Client, SseParserCallbacks {
	readonly id: number;
	readonly url: string;
	readonly sink: ClientSink;
	readonly dispatcher: Dispatcher;
	readonly headers: Readonly<Record<string, string>>;
	readonly timeoutMs: number;
	readonly maxBackoffMs: number;
	readonly parser: SseParser;
	retryMs: number;
	stopped = false;
	attempts = 0;
	failures = 0;
	/** the attempt in flight, if any */
	current: Attempt | undefined = undefined;
	/** the backoff sleep before the next attempt, if any */
	sleepTimer: NodeJS.Timeout | undefined = undefined;
	running: Promise<void> | undefined = undefined;
	finished: (() => void) | undefined = undefined;

	constructor(options: SseClientOptions) {
		this.id = options.id;
		this.url = options.url;
		this.sink = options.sink;
		this.dispatcher = options.dispatcher;
		this.headers = options.headers;
		this.timeoutMs = options.timeoutMs;
		this.maxBackoffMs = options.maxBackoffMs;
		this.retryMs = options.retryMs;
		this.parser = createSseParser(this, {maxEventSize: options.maxEventSize});
	}

	async start(): Promise<void> {
		if (this.running === undefined) {
			this.running = new Promise<void>(resolve => {
				this.finished = resolve;
			});
			if (this.stopped) {
				this.finish('stopped');
			} else {
				this.connect();
			}
		}

		return this.running;
	}

	async stop(): Promise<void> {
		if (!this.stopped) {
			this.stopped = true;
			if (this.running !== undefined) {
				const attempt = this.current;
				this.current = undefined;
				if (attempt) {
					attempt.cancel();
				}

				if (this.sleepTimer !== undefined) {
					clearTimeout(this.sleepTimer);
					this.sleepTimer = undefined;
				}

				if (this.finished !== undefined) {
					this.finish('stopped');
				}
			}
		}

		await this.running;
	}

	// Parser callbacks.
	onEvent(event: SseEvent): void {
		this.sink.emit({kind: 'event', client: this.id, type: event.type, data: event.data, id: event.id, bytes: event.data.length, latencyMs: extractLatency(event.data)});
	}

	onComment(text: string): void {
		this.sink.emit({kind: 'comment', client: this.id, text});
	}

	onRetry(ms: number): void {
		this.retryMs = ms;
		this.sink.emit({kind: 'retry', client: this.id, retryMs: ms});
	}

	connect(): void {
		this.attempts++;
		this.sink.emit({kind: 'connecting', client: this.id, attempt: this.attempts});
		if (this.stopped) {
			// A sink that called stop() while seeing `connecting`.
			return;
		}

		const attempt = new Attempt(this);
		this.current = attempt;
		attempt.begin();
	}

	/**
	 * Request headers of an attempt. After a redirect they lose Host, after a 303 any Content-*,
	 * and after a hop to another origin the credentials, as undici's redirect handler did.
	 */
	requestHeaders(redirected: boolean, drop: number): Record<string, string> {
		const headers: Record<string, string> = {accept: 'text/event-stream', 'cache-control': 'no-cache', ...this.headers};
		if (redirected) {
			for (const name of Object.keys(headers)) {
				const lower = name.toLowerCase();
				if (lower === 'host'
					|| ((drop & dropContent) !== 0 && lower.startsWith('content-'))
					|| ((drop & dropCredentials) !== 0 && (lower === 'authorization' || lower === 'cookie' || lower === 'proxy-authorization'))) {
					delete headers[name];
				}
			}
		}

		if (this.parser.lastEventId !== '') {
			headers['last-event-id'] = this.parser.lastEventId;
		}

		return headers;
	}

	/** The response is a stream: the attempt is open. */
	opened(status: number, started: number): void {
		this.parser.reset();
		this.sink.emit({kind: 'open', client: this.id, status, connectMs: performance.now() - started, url: this.url});
	}

	/** Called once per attempt, unless the client was stopped first. */
	settled(attempt: Attempt, outcome: Outcome): void {
		if (attempt !== this.current) {
			return;
		}

		this.current = undefined;
		const {id, sink} = this;
		if (outcome === 'no-content') {
			sink.emit({kind: 'close', client: id, reason: 'server answered 204 No Content: not reconnecting', final: true});
			this.stopped = true;
			this.finish();
			return;
		}

		if (outcome === 'ended') {
			this.failures = 0;
			sink.emit({kind: 'close', client: id, reason: 'stream ended by server', final: false});
		} else {
			// A stream that opened and then broke reconnects after `retry`, like a clean end.
			const opened = outcome.kind === 'stream' || outcome.kind === 'too-large';
			this.failures = opened ? 0 : this.failures + 1;
			sink.emit({kind: 'error', client: id, error: outcome.kind, message: outcome.message, ...(outcome.status === undefined ? {} : {status: outcome.status})});
		}

		if (this.stopped) {
			// stop() from inside the sink: it has already finished the client.
			return;
		}

		const delayMs = reconnectDelay(this.failures, this.retryMs, this.maxBackoffMs);
		sink.emit({kind: 'reconnect', client: id, delayMs, attempt: this.attempts + 1, lastEventId: this.parser.lastEventId});
		if (!this.stopped) {
			this.sleepTimer = setTimeout(wake, delayMs, this);
		}
	}

	finish(reason?: 'stopped'): void {
		if (reason === 'stopped') {
			this.sink.emit({kind: 'close', client: this.id, reason: 'stopped', final: true});
		}

		const finished = this.finished;
		this.finished = undefined;
		finished?.();
	}
}

function wake(client: SseClient): void {
	client.sleepTimer = undefined;
	if (!client.stopped) {
		client.connect();
	}
}

function onHeadersTimeout(attempt: Attempt): void {
	attempt.timer = undefined;
	attempt.fail(new AttemptError('timeout', `no response headers within ${attempt.client.timeoutMs}ms`));
}

/** Attempt#drop bits */
const dropCredentials = 1;
const dropContent = 2;

const waiting = 0; // for response headers (across redirects)
const redirecting = 1; // a redirect's body is being skipped; its end starts the next hop
const streaming = 2;
const done = 3;

/**
 * One connection attempt, and undici's dispatch handler for each of its requests (the first and
 * any redirect hops). Settles the client exactly once: 'ended', 'no-content' or an AttemptError;
 * callbacks that arrive after that (an aborted request reporting its abort) are ignored.
 */
class Attempt implements Dispatcher.DispatchHandler {
	state = waiting;
	controller: Dispatcher.DispatchController | undefined = undefined;
	timer: NodeJS.Timeout | undefined = undefined;
	readonly started = performance.now();
	target: Target | undefined = undefined;
	/** the hops so far, only once there is a redirect */
	visited: string[] | undefined = undefined;
	/** what later hops' headers leave out (dropCredentials, dropContent) */
	drop = 0;

	constructor(readonly client: SseClient) {}

	begin(): void {
		this.timer = setTimeout(onHeadersTimeout, this.client.timeoutMs, this);
		try {
			this.target = targetOf(this.client.url);
		} catch (error) {
			this.fail(new AttemptError('connect', describe(error)));
			return;
		}

		this.send();
	}

	send(): void {
		const {origin, path} = this.target!;
		const headers = this.client.requestHeaders(this.visited !== undefined, this.drop);
		try {
			this.client.dispatcher.dispatch({origin, path, method: 'GET', headers}, this);
		} catch (error) {
			this.fail(new AttemptError('connect', describe(error)));
		}
	}

	/** stop(): end the attempt without settling the client. */
	cancel(): void {
		this.end();
		this.controller?.abort(new Error('stopped'));
	}

	fail(error: AttemptError): void {
		if (this.state === done) {
			return;
		}

		this.end();
		this.controller?.abort(error);
		this.client.settled(this, error);
	}

	private end(): void {
		this.state = done;
		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
	}

	private settle(outcome: Outcome): void {
		this.end();
		this.client.settled(this, outcome);
	}

	onRequestStart(controller: Dispatcher.DispatchController): void {
		if (this.state === done) {
			// Settled (timeout, stop) before undici got to send this request.
			controller.abort(new Error('attempt is over'));
			return;
		}

		this.controller = controller;
	}

	onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
		if (this.state !== waiting) {
			return;
		}

		// undici's controller would keep the raw header Buffers, views of the socket's first
		// read, alive as long as the stream lasts; `headers` has all we need.
		controller.rawHeaders = null;
		if (statusCode === 200) {
			const contentType = String(headers['content-type'] ?? '');
			if (!eventStreamType.test(contentType)) {
				this.fail(new AttemptError('content-type', `expected text/event-stream, got "${contentType || 'no content type'}"`, statusCode));
				return;
			}

			if (this.timer !== undefined) {
				clearTimeout(this.timer);
				this.timer = undefined;
			}

			this.state = streaming;
			this.client.opened(statusCode, this.started);
			return;
		}

		if (statusCode === 204) {
			// Nothing to read: drop the request now rather than wait for a body.
			this.end();
			controller.abort(new Error('204 No Content'));
			this.client.settled(this, 'no-content');
			return;
		}

		const {location} = headers;
		if ((statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308) && location && (this.visited?.length ?? 0) < maxRedirections) {
			this.redirect(statusCode, String(location));
			return;
		}

		this.fail(new AttemptError('status', `HTTP ${statusCode}`, statusCode));
	}

	private redirect(statusCode: number, location: string): void {
		const {origin, path} = this.target!;
		let next: Target;
		try {
			next = parseTarget(new URL(location, origin + path));
		} catch (error) {
			this.fail(new AttemptError('connect', `bad redirect to "${location}": ${describe(error)}`));
			return;
		}

		const visited = this.visited ?? [];
		this.visited = visited;
		visited.push(origin + path);
		if (visited.includes(next.origin + next.path)) {
			this.fail(new AttemptError('connect', `Redirect loop detected: ${next.origin + next.path} was already visited`));
			return;
		}

		if (next.origin !== origin) {
			this.drop |= dropCredentials;
		}

		if (statusCode === 303) {
			this.drop |= dropContent;
		}

		this.target = next;
		this.state = redirecting;
	}

	onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
		if (this.state !== streaming) {
			return;
		}

		const {client} = this;
		client.sink.bytes(client.id, chunk.length);
		try {
			client.parser.feed(chunk);
		} catch (error) {
			if (this.state === streaming) {
				this.fail(error instanceof SseParseError ? new AttemptError('too-large', error.message) : new AttemptError('stream', describe(error)));
			}
		}
	}

	onResponseEnd(): void {
		if (this.state === streaming) {
			this.client.parser.end();
			this.settle('ended');
		} else if (this.state === redirecting) {
			this.state = waiting;
			this.controller = undefined;
			this.send();
		}
	}

	onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
		if (this.state === done) {
			return;
		}

		this.settle(new AttemptError(this.state === streaming ? 'stream' : 'connect', describe(error)));
	}
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
