import type {Dispatcher} from 'undici';
import {SseParseError} from './sse-parser.js';
import type {SseClient} from './sse-client.js';
import type {ErrorKind} from './types.js';

// One connection attempt of an SSE client (sse-client.ts): the request, redirects, the status
// and content-type checks, and the stream until it ends or fails.

const eventStreamType = /^text\/event-stream\s*(?:;|$)/i;

/** Redirects followed per attempt, as undici's redirect interceptor did (fetch allows 20). */
const maxRedirections = 10;

export class AttemptError extends Error {
	constructor(readonly kind: ErrorKind, message: string, readonly status?: number) {
		super(message);
	}
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

export type Outcome = 'ended' | 'no-content' | AttemptError;

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

function onHeadersTimeout(attempt: Attempt): void {
	attempt.timer = undefined;
	attempt.fail(new AttemptError('timeout', `no response headers within ${attempt.client.timeoutMs}ms`));
}

/** Attempt#drop bits */
export const dropCredentials = 1;
export const dropContent = 2;

const waiting = 0; // for response headers (across redirects)
const redirecting = 1; // a redirect's body is being skipped; its end starts the next hop
const streaming = 2;
const done = 3;

/**
 * One connection attempt, and undici's dispatch handler for each of its requests (the first and
 * any redirect hops). Settles the client exactly once: 'ended', 'no-content' or an AttemptError;
 * callbacks that arrive after that (an aborted request reporting its abort) are ignored.
 */
export class Attempt implements Dispatcher.DispatchHandler {
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
