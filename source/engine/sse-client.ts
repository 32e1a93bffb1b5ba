import {defaultMinRetryMs, reconnectDelay} from './backoff.js';
import {createSseParser, type SseEvent, type SseParser, type SseParserCallbacks} from './sse-parser.js';
import type {Client, ClientSink} from './types.js';
import {extractLatency} from './latency.js';
import {Attempt, AttemptError, dropContent, dropCredentials, streaming, type Outcome} from './sse-attempt.js';
import type {BufferBudget, BufferHolder} from './buffer-budget.js';
import {settleStream, StreamState, type RequestPlan} from './request-stream.js';

export type SseClientOptions = {
	id: number;
	url: string;
	headers: Readonly<Record<string, string>>;
	/** accept any TLS certificate (`--insecure`) */
	insecure: boolean;
	sink: ClientSink;
	/** no connection and response headers within this long counts as a `timeout` error */
	timeoutMs: number;
	/** reconnection time until the server sends `retry:` */
	retryMs: number;
	/** floor for the server's `retry:` (backoff.ts defaultMinRetryMs); 0 obeys any value */
	minRetryMs?: number;
	maxBackoffMs: number;
	maxEventSize: number;
	/** bind the socket to this source address (--local-address) */
	localAddress?: string | undefined;
	/** the run's budget for partial events across clients (--max-buffered); none: only maxEventSize */
	budget?: BufferBudget | undefined;
	/** request streams (--method, --body, --until-data, --then …); undefined: the long-lived GET stream */
	plan?: RequestPlan | undefined;
	/** opens each attempt on another transport (undici: proxies, HTTP/2, compression); undefined: the fast HTTP/1.1 reader */
	transport?: AttemptFactory | undefined;
};

/** One connection attempt as the client drives it (sse-attempt.ts, or undici-transport.ts). */
export type ClientAttempt = {
	readonly state: number;
	begin(): void;
	cancel(): void;
	fail(error: AttemptError): void;
	/** the end marker arrived: settle as 'marker' */
	complete(): void;
};

export type AttemptFactory = {
	attempt(client: SseClient): ClientAttempt;
};


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
// one small response handler over one socket (http-stream.ts: no Readable body, no
// AbortController, no promise per attempt), and timers run only while waiting for headers or
// for the next attempt.
export class SseClient implements Client, SseParserCallbacks, BufferHolder {
	readonly id: number;
	readonly url: string;
	readonly sink: ClientSink;
	readonly insecure: boolean;
	readonly headers: Readonly<Record<string, string>>;
	readonly timeoutMs: number;
	readonly maxBackoffMs: number;
	readonly parser: SseParser;
	retryMs: number;
	readonly minRetryMs: number;
	readonly localAddress: string | undefined;
	readonly budget: BufferBudget | undefined;
	/** characters of partial events the budget has counted for this client */
	held = 0;
	/**
	 * The open stream has delivered an event or a comment. One that ends or breaks before it
	 * did counts as a failed attempt for the backoff, so a server that answers and hangs up
	 * (or sends only garbage) is retried less and less often, not every `retry`.
	 */
	delivered = false;
	stopped = false;
	attempts = 0;
	failures = 0;
	/** the attempt in flight, if any */
	current: ClientAttempt | undefined = undefined;
	/** request streams only: the request in flight (one field, so a GET client pays 8 bytes for it) */
	readonly stream: StreamState | undefined;
	readonly transport: AttemptFactory | undefined;
	/**
	 * Date.now() of the read being parsed, taken at its first event (-1: not yet). The events of
	 * one read share it: one clock call per read, and no microtask to forget it (latency.ts's
	 * per-turn cache queues one per read, about 0.5 µs).
	 */
	readClock = -1;
	/** the backoff sleep before the next attempt, if any */
	sleepTimer: NodeJS.Timeout | undefined = undefined;
	running: Promise<void> | undefined = undefined;
	finished: (() => void) | undefined = undefined;

	constructor(options: SseClientOptions) {
		this.id = options.id;
		this.url = options.url;
		this.sink = options.sink;
		this.insecure = options.insecure;
		this.headers = options.headers;
		this.timeoutMs = options.timeoutMs;
		this.maxBackoffMs = options.maxBackoffMs;
		this.retryMs = options.retryMs;
		this.minRetryMs = options.minRetryMs ?? defaultMinRetryMs;
		this.localAddress = options.localAddress;
		this.budget = options.budget;
		this.parser = createSseParser(this, {maxEventSize: options.maxEventSize});
		this.stream = options.plan === undefined ? undefined : new StreamState(options.plan);
		this.transport = options.transport;
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

				this.stream?.clearTimer();

				if (this.finished !== undefined) {
					this.finish('stopped');
				}
			}
		}

		await this.running;
	}

	drop(): void {
		const attempt = this.current;
		if (this.stopped || attempt?.state !== streaming) {
			return;
		}

		this.current = undefined;
		attempt.cancel();
		this.failures = 0;
		this.sink.emit({kind: 'close', client: this.id, reason: 'dropped by the client (storm)', final: false});
		if (!this.stopped) {
			this.reconnectLater();
		}
	}

	// Parser callbacks.
	onEvent(event: SseEvent): void {
		const {stream} = this;
		if (stream !== undefined && this.current?.state !== streaming) {
			return; // the rest of the read that carried the end marker
		}

		let now = this.readClock;
		if (now < 0) {
			now = Date.now();
			this.readClock = now;
		}

		this.delivered = true;
		this.sink.emit({kind: 'event', client: this.id, type: event.type, data: event.data, id: event.id, bytes: event.data.length, latencyMs: extractLatency(event.data, now)});
		if (stream !== undefined && stream.counted(event)) {
			this.current?.complete();
		}
	}

	onComment(text: string): void {
		this.delivered = true;
		this.sink.emit({kind: 'comment', client: this.id, text});
	}

	onRetry(ms: number): void {
		// The event says what the server asked for; the client waits at least the floor.
		this.sink.emit({kind: 'retry', client: this.id, retryMs: ms});
		if (ms < this.minRetryMs) {
			this.sink.note?.(`the server asked for a reconnection time (retry:) below --min-retry ${this.minRetryMs}ms; waiting ${this.minRetryMs}ms instead (--min-retry 0 obeys it)`);
		}

		this.retryMs = Math.max(ms, this.minRetryMs);
	}

	/** The parser holds `held` characters of partial events across reads. */
	hold(held: number): void {
		if (this.budget === undefined) {
			this.held = held;
		} else {
			this.budget.update(this, held);
		}
	}

	/** The attempt is over: drop what the parser holds, and its count in the budget. */
	release(): void {
		if (this.held !== 0) {
			this.hold(0);
		}

		this.parser.reset();
	}

	overBudget(message: string): void {
		if (this.current === undefined) {
			this.parser.reset();
		} else {
			this.current.fail(new AttemptError('too-large', message));
		}
	}

	connect(): void {
		this.attempts++;
		const {stream} = this;
		if (stream === undefined) {
			this.sink.emit({kind: 'connecting', client: this.id, attempt: this.attempts});
		} else {
			this.sink.emit({kind: 'connecting', client: this.id, attempt: this.attempts, request: stream.iteration + 1, fresh: stream.fresh});
			stream.fresh = false;
		}

		if (this.stopped) {
			// A sink that called stop() while seeing `connecting`.
			return;
		}

		const attempt = this.transport === undefined ? new Attempt(this) : this.transport.attempt(this);
		this.current = attempt;
		stream?.begin(this.id, () => {
			if (this.current === attempt) {
				attempt.fail(new AttemptError('timeout', `stream not finished within ${stream.plan.streamTimeoutMs}ms (--stream-timeout)`));
			}
		});
		attempt.begin();
	}

	/**
	 * Request headers of an attempt. After a redirect they lose Host, after a 303 any Content-*,
	 * and after a hop to another origin the credentials, as fetch and undici's redirect handler do.
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

		// A new request (--then repeat, stop) is not a resume: Last-Event-ID only on reconnects.
		if (this.parser.lastEventId !== '' && (this.stream === undefined || this.stream.plan.then === 'reconnect')) {
			headers['last-event-id'] = this.parser.lastEventId;
		}

		return headers;
	}

	/** The response is a stream: the attempt is open. */
	opened(status: number, started: number): void {
		this.parser.reset();
		this.delivered = false;
		const {stream} = this;
		if (stream === undefined) {
			this.sink.emit({kind: 'open', client: this.id, status, connectMs: performance.now() - started, url: this.url});
		} else {
			this.sink.emit({kind: 'open', client: this.id, status, connectMs: performance.now() - started, url: this.url, request: stream.iteration});
		}
	}

	/** Called once per attempt, unless the client was stopped first. */
	settled(attempt: ClientAttempt, outcome: Outcome): void {
		if (attempt !== this.current) {
			return;
		}

		this.current = undefined;
		if (this.stream !== undefined) {
			settleStream(this, this.stream, outcome);
			return;
		}

		const {id, sink} = this;
		if (outcome === 'no-content') {
			sink.emit({kind: 'close', client: id, reason: 'server answered 204 No Content: not reconnecting', final: true});
			this.stopped = true;
			this.finish();
			return;
		}

		if (outcome === 'ended' || outcome === 'marker') {
			// A stream that ends without delivering anything counts as a failed attempt (it backs off); a marker is a delivery.
			this.failures = this.delivered || outcome === 'marker' ? 0 : this.failures + 1;
			sink.emit({kind: 'close', client: id, reason: 'stream ended by server', final: false});
		} else {
			// A stream that opened, delivered and then broke reconnects after `retry`, like a clean end.
			const opened = outcome.kind === 'stream' || outcome.kind === 'too-large';
			this.failures = opened && this.delivered ? 0 : this.failures + 1;
			sink.emit({kind: 'error', client: id, error: outcome.kind, message: outcome.message, ...(outcome.status === undefined ? {} : {status: outcome.status})});
		}

		if (this.stopped) {
			// stop() from inside the sink: it has already finished the client.
			return;
		}

		this.reconnectLater();
	}

	/** The next request after `ms` (--then repeat, --think): on a timer, so the read that carried the marker is over first. */
	nextRequest(ms: number): void {
		this.sleepTimer = setTimeout(wake, ms, this);
	}

	reconnectLater(): void {
		const delayMs = reconnectDelay(this.failures, this.retryMs, this.maxBackoffMs);
		this.sink.emit({kind: 'reconnect', client: this.id, delayMs, attempt: this.attempts + 1, lastEventId: this.parser.lastEventId});
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
