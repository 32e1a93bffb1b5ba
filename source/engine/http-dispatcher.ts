import {Agent, interceptors, type Dispatcher} from 'undici';

export type DispatcherOptions = {
	timeoutMs: number;
	insecure: boolean;
	maxRedirections?: number;
};

/**
 * One undici Agent for every SSE client of a run: an unlimited connection pool per origin
 * (each stream holds its own socket for its whole life) that follows redirects, as
 * EventSource does. Timeouts on headers are enforced per attempt by the client itself, and
 * the body has none: a quiet stream between heartbeats is normal.
 */
export function createHttpDispatcher({timeoutMs, insecure, maxRedirections = 10}: DispatcherOptions): Dispatcher {
	const agent = new Agent({
		connections: null,
		pipelining: 1,
		headersTimeout: 0,
		bodyTimeout: 0,
		connect: {timeout: timeoutMs, rejectUnauthorized: !insecure},
	});
	return agent.compose(interceptors.redirect({maxRedirections}));
}
