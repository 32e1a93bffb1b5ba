import {requestHead, parseTarget, type HttpTarget} from './http-request.js';
import type {ResponseHeaders} from './http-head.js';
import {HttpStream, type ResponseHandler} from './http-stream.js';
import {SseParseError} from './sse-parser.js';
import type {SseClient} from './sse-client.js';
import type {ErrorKind} from './types.js';

// One connection attempt of an SSE client (sse-client.ts): the request, redirects, the status
// and content-type checks, and the stream until it ends or fails.

const eventStreamType = /^text\/event-stream\s*(?:;|$)/i;

/** Redirects followed per attempt, as undici's redirect interceptor did (fetch allows 20). */
export const maxRedirections = 10;

export class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly status?: number) {
		super(message);
	}
}

export type Outcome = 'ended' | 'no-content' | 'marker' | AttemptError;

/**
 * What a response head (past any redirect) means for an SSE attempt, on either transport: 200
 * with text/event-stream opens the stream, 204 asks the client to stop, anything else fails.
 */
export function checkResponseHead(statusCode: number, contentType: string): 'open' | 'no-content' | AttemptError {
	if (statusCode === 204) {
		return 'no-content'; // Nothing to read: the server asks the client to stop.
	}

	if (statusCode !== 200) {
		return new AttemptError('status', `HTTP ${statusCode}`, statusCode);
	}

	if (!eventStreamType.test(contentType)) {
		return new AttemptError('content-type', `expected text/event-stream, got "${contentType || 'no content type'}"`, statusCode);
	}

	return 'open';
}

// Every client of a run has the same URL: parse it once, and share its target.
let lastUrl: string | undefined;
let lastTarget: HttpTarget | undefined;

function targetOf(url: string): HttpTarget {
	if (url !== lastUrl || lastTarget === undefined) {
		lastTarget = parseTarget(url);
		lastUrl = url;
	}

	return lastTarget;
}

function onHeadersTimeout(attempt: Attempt): void {
	attempt.timer = undefined;
	const {timeoutMs} = attempt.client;
	const {host, port} = attempt.target!;
	attempt.fail(new AttemptError('timeout', attempt.stream?.connecting
		? `could not connect to ${host.includes(':') ? `[${host}]` : host}:${port} within ${timeoutMs}ms`
		: `no response headers within ${timeoutMs}ms`));
}

/** Attempt#drop bits */
export const dropCredentials = 1;
export const dropContent = 2;

export const waiting = 0; // for response headers (across redirects)
export const streaming = 1;
export const done = 2;

/**
 * One connection attempt, and the response handler of each of its requests (the first and any
 * redirect hops, each on a connection of its own). Settles the client exactly once: 'ended',
 * 'no-content' or an AttemptError; nothing is heard from a request after that.
 */
export class Attempt implements ResponseHandler {
	state = waiting;
	stream: HttpStream | undefined = undefined;
	timer: NodeJS.Timeout | undefined = undefined;
	readonly started = performance.now();
	target: HttpTarget | undefined = undefined;
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
		const target = this.target!;
		const headers = this.client.requestHeaders(this.visited !== undefined, this.drop);
		const request = this.client.stream;
		try {
			this.stream = new HttpStream(target, request === undefined ? requestHead(target, headers) : requestHead(target, request.headers(headers), request.method, request.body), this, this.client);
		} catch (error) {
			this.fail(new AttemptError('connect', describe(error)));
		}
	}

	/** The end marker of a request stream arrived. */
	complete(): void {
		if (this.state === streaming) {
			this.settle('marker');
		}
	}

	/** stop(): end the attempt without settling the client. */
	cancel(): void {
		this.end();
	}

	fail(error: AttemptError): void {
		if (this.state === done) {
			return;
		}

		this.end();
		this.client.settled(this, error);
	}

	private end(): void {
		this.state = done;
		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		this.stream?.close();
		// What the parser holds of an unfinished line or event goes now, not at the next open.
		this.client.release();
	}

	private settle(outcome: Outcome): void {
		this.end();
		this.client.settled(this, outcome);
	}

	onResponseHead(statusCode: number, headers: ResponseHeaders): boolean {
		if (this.state !== waiting) {
			return false;
		}

		const {location} = headers;
		if ((statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308) && location) {
			if ((this.visited?.length ?? 0) < maxRedirections) {
				this.redirect(statusCode, location);
			} else {
				this.fail(new AttemptError('status', `HTTP ${statusCode}: too many redirects (${maxRedirections})`, statusCode));
			}

			return false;
		}

		const verdict = checkResponseHead(statusCode, headers['content-type'] ?? '');
		if (verdict === 'no-content') {
			this.settle('no-content');
			return false;
		}

		if (verdict !== 'open') {
			this.fail(verdict);
			return false;
		}

		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		this.state = streaming;
		this.client.opened(statusCode, this.started);
		return true;
	}

	// The redirect's own connection closes at once (its body is not read); the next hop gets a new one.
	private redirect(statusCode: number, location: string): void {
		const {origin, path} = this.target!;
		let next: HttpTarget;
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

		// A request stream's method and body follow the redirect rules (request-stream.ts).
		const keptBody = this.client.stream?.redirected(statusCode) ?? true;
		if (statusCode === 303 || !keptBody) {
			this.drop |= dropContent;
		}

		this.stream!.close();
		this.target = next;
		this.send();
	}

	onResponseData(buffer: Buffer, start: number, end: number): boolean {
		const {client} = this;
		client.sink.bytes(client.id, end - start);
		client.readClock = -1;
		try {
			client.parser.feed(buffer, start, end);
		} catch (error) {
			if (this.state === streaming) {
				this.fail(error instanceof SseParseError ? new AttemptError('too-large', error.message) : new AttemptError('stream', describe(error)));
			}
		}

		if (this.state !== streaming) {
			// Stopped or failed while parsing: the parser may have taken in more after the reset.
			client.release();
			return false;
		}

		// Usually a read ends on an event boundary and nothing is held: one comparison per read.
		const held = client.parser.buffered;
		if (held !== client.held) {
			client.hold(held);
		}

		return this.state === streaming;
	}

	onResponseEnd(): void {
		if (this.state === streaming) {
			this.client.parser.end();
			this.settle('ended');
		}
	}

	onResponseError(error: Error): void {
		if (this.state !== done) {
			this.settle(new AttemptError(this.state === streaming ? 'stream' : 'connect', describe(error)));
		}
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
