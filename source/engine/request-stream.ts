/**
 * Request streams: what an SSE client sends and when its stream is over, for endpoints that
 * answer a request with a finite stream (a POST to a chat completion, a job streaming progress
 * until `done`). The plan is shared by every client of a run; each client keeps its own count.
 */
import type {SseEvent} from './sse-parser.js';
import type {SseClient} from './sse-client.js';
import {AttemptError, type Outcome} from './sse-attempt.js';

export type ThenAction = 'reconnect' | 'repeat' | 'stop';

/**
 * How a stream ended: the end marker seen (`--until-data`/`--until-event`), the server closed it
 * cleanly (no marker asked for), cut (it opened, then broke, or closed without the marker asked
 * for), error (it never opened: refused, a status, a content type), timeout (no headers within
 * --timeout, or not finished within --stream-timeout).
 */
export type StreamOutcome = 'marker' | 'clean' | 'cut' | 'error' | 'timeout';
export const streamOutcomes: readonly StreamOutcome[] = ['marker', 'clean', 'cut', 'error', 'timeout'];

export type RequestPlan = Readonly<{
	method: string;
	/** the body of this client's `iteration`-th request (1-based), or undefined for none */
	body(client: number, iteration: number): string | undefined;
	/** sent as Content-Type with a body, unless undefined */
	contentType: string | undefined;
	untilData: string | undefined;
	untilEvent: string | undefined;
	then: ThenAction;
	thinkMs: number;
	streamTimeoutMs: number | undefined;
}>;

/** True when `event` is the end marker of the plan's streams. */
export function endsStream(plan: RequestPlan, event: SseEvent): boolean {
	return (plan.untilData !== undefined && event.data === plan.untilData) || (plan.untilEvent !== undefined && event.type === plan.untilEvent);
}

/** Whether a marker was asked for: then a stream that ends without it did not complete. */
export function expectsMarker(plan: RequestPlan): boolean {
	return plan.untilData !== undefined || plan.untilEvent !== undefined;
}

/**
 * The method and body of one request after a redirect (RFC 9110 §15.4, as fetch does it): 303
 * turns anything but HEAD into a GET without a body, and so do 301 and 302 for a POST; 307 and
 * 308 keep both.
 */
export function redirectedMethod(method: string, status: number): {method: string; keepBody: boolean} {
	if ((status === 303 && method !== 'HEAD' && method !== 'GET') || ((status === 301 || status === 302) && method === 'POST')) {
		return {method: 'GET', keepBody: false};
	}

	return {method, keepBody: true};
}

/** A client's request stream in progress: which request this is, and what it has seen so far. */
export class StreamState {
	/** this client's requests so far; the one in flight is number `iteration` */
	iteration = 0;
	events = 0;
	/** performance.now() when the request started */
	started = 0;
	ttfeMs = -1;
	/** the request as sent: a redirect may turn it into a GET without a body */
	method: string;
	body: string | undefined = undefined;
	timer: NodeJS.Timeout | undefined = undefined;
	/** a completed stream asks for the next request (--then repeat): it is not a reconnect */
	fresh = false;

	constructor(readonly plan: RequestPlan) {
		this.method = plan.method;
	}

	/** A new request of client `client`; `onTimeout` runs if it is not over within --stream-timeout. */
	begin(client: number, onTimeout: () => void): void {
		this.iteration++;
		this.events = 0;
		this.ttfeMs = -1;
		this.started = performance.now();
		this.method = this.plan.method;
		this.body = this.plan.body(client, this.iteration);
		this.clearTimer();
		if (this.plan.streamTimeoutMs !== undefined) {
			this.timer = setTimeout(onTimeout, this.plan.streamTimeoutMs);
		}
	}

	clearTimer(): void {
		if (this.timer !== undefined) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
	}

	/** The headers of this request: Content-Type with a body. */
	headers(headers: Record<string, string>): Record<string, string> {
		if (this.body !== undefined && this.plan.contentType !== undefined) {
			headers['content-type'] = this.plan.contentType;
		}

		return headers;
	}

	redirected(status: number): boolean {
		const next = redirectedMethod(this.method, status);
		this.method = next.method;
		if (!next.keepBody) {
			this.body = undefined;
		}

		return next.keepBody;
	}

	/** Count an event; true when it is the end marker. */
	counted(event: SseEvent): boolean {
		this.events++;
		if (this.ttfeMs < 0) {
			this.ttfeMs = performance.now() - this.started;
		}

		return endsStream(this.plan, event);
	}
}

/** The end of a request stream: report it, then reconnect, send the next request, or stop (--then). */
export function settleStream(client: SseClient, stream: StreamState, outcome: Outcome): void {
	stream.clearTimer();
	const {id, sink} = client;
	const marker = expectsMarker(stream.plan);
	let ended: StreamOutcome;
	if (outcome === 'marker') {
		ended = 'marker';
	} else if (outcome === 'ended' || outcome === 'no-content') {
		ended = marker && outcome === 'ended' ? 'cut' : 'clean';
	} else {
		ended = outcome.kind === 'timeout' ? 'timeout' : (outcome.kind === 'stream' || outcome.kind === 'too-large' ? 'cut' : 'error');
	}

	if (outcome instanceof AttemptError) {
		sink.emit({kind: 'error', client: id, error: outcome.kind, message: outcome.message, ...(outcome.status === undefined ? {} : {status: outcome.status})});
	} else if (ended === 'cut') {
		sink.emit({kind: 'error', client: id, error: 'stream', message: 'the stream ended before its end marker (--until-data / --until-event)'});
	}

	sink.emit({kind: 'stream', client: id, request: stream.iteration, outcome: ended, events: stream.events, ttfeMs: stream.ttfeMs < 0 ? null : stream.ttfeMs, durationMs: performance.now() - stream.started});
	if (client.stopped) {
		return;
	}

	const completed = ended === 'marker' || ended === 'clean';
	const {then} = stream.plan;
	if (outcome === 'no-content' || then === 'stop') {
		sink.emit({kind: 'close', client: id, reason: outcome === 'no-content' ? 'server answered 204 No Content: not reconnecting' : `stream ${completed ? 'done' : 'failed'} (--then stop)`, final: true, request: stream.iteration, ...(completed ? {} : {failed: true})});
		client.stopped = true;
		client.finish();
		return;
	}

	if (completed) {
		client.failures = 0;
		sink.emit({kind: 'close', client: id, reason: ended === 'marker' ? 'end marker received' : 'stream ended by server', final: false, request: stream.iteration});
		if (then === 'repeat') {
			stream.fresh = true;
			client.nextRequest(stream.plan.thinkMs);
			return;
		}
	} else if (ended === 'cut') {
		client.failures = 0;
	} else {
		client.failures++;
	}

	client.reconnectLater();
}
