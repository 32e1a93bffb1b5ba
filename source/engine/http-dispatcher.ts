import {Agent, type Dispatcher} from 'undici';

export type DispatcherOptions = {
	timeoutMs: number;
	insecure: boolean;
};

/**
 * One undici Agent for every SSE client of a run: an unlimited connection pool per origin
 * (each stream holds its own socket for its whole life). Timeouts on headers are enforced per
 * attempt by the client itself, and the body has none: a quiet stream between heartbeats is
 * normal. The SSE client follows redirects itself (as EventSource does): undici's redirect
 * interceptor would keep a handler, copies of the request options and a URL history alive
 * for the whole life of every stream.
 */
export function createHttpDispatcher({timeoutMs, insecure}: DispatcherOptions): Dispatcher {
	return new Agent({
		connections: null,
		pipelining: 1,
		headersTimeout: 0,
		bodyTimeout: 0,
		connect: {timeout: timeoutMs, rejectUnauthorized: !insecure},
	});
}
