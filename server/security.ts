import {createHash, timingSafeEqual} from 'node:crypto';
import type {IncomingMessage} from 'node:http';
import {isIP} from 'node:net';
import type {ServerOptions} from './options.js';
import {isOriginAllowed} from './origins.js';

/**
 * `--token`: the credential every endpoint but /health asks for, as `Authorization: Bearer T`
 * or, for EventSource and browser WebSocket clients that cannot set headers, `?token=T`.
 */
export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
	const header = req.headers.authorization;
	if (typeof header === 'string') {
		const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
		if (match) {
			return match[1];
		}
	}

	return url.searchParams.get('token') ?? undefined;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares in constant time: both sides hashed first, so neither the content nor the length
 * of the expected token shows in how long a wrong guess takes.
 */
export function tokenMatches(given: string | undefined, expected: string): boolean {
	return timingSafeEqual(digest(given ?? ''), digest(expected)) && given !== undefined;
}

/** True when the request may proceed: no --token set, or the right one given. */
export function isAuthorized(options: Pick<ServerOptions, 'token'>, req: IncomingMessage, url: URL): boolean {
	return options.token === undefined || tokenMatches(tokenOf(req, url), options.token);
}

export const unauthorizedText = 'this server needs its token: send "Authorization: Bearer <token>" or add ?token=<token> (sse-tui: --token)';

/**
 * `Access-Control-Allow-Origin` for a response to `origin`: `*` without a token (the Go
 * server's behaviour, fine for a loopback test server), none with a token unless `--cors`
 * lists the origin (or says `*`).
 */
export function allowOriginFor(options: Pick<ServerOptions, 'token' | 'cors'>, origin: string | undefined): string | undefined {
	const cors = options.cors ?? (options.token === undefined ? ['*'] : []);
	if (cors.includes('*')) {
		return '*';
	}

	return origin !== undefined && isOriginAllowed(origin, cors) ? origin : undefined;
}

/**
 * The trigger changes state: a browser page may reach it only from an origin --allowed-origins
 * admits (default: localhost pages). Requests without an Origin (curl, sse-tui publish) pass.
 */
export function triggerOriginAllowed(options: Pick<ServerOptions, 'allowedOrigins'>, origin: string | undefined): boolean {
	return isOriginAllowed(origin, options.allowedOrigins);
}

/** Loopback addresses and names: binding them exposes nothing beyond this machine. */
export function isLoopbackHost(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '');
	if (bare === 'localhost' || bare === '::1') {
		return true;
	}

	return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The warning printed when `serve` binds anything but loopback; undefined when it does not. */
export function exposureWarning(options: Pick<ServerOptions, 'host' | 'token' | 'tlsCert'>): string | undefined {
	if (isLoopbackHost(options.host)) {
		return undefined;
	}

	if (options.token === undefined) {
		return `warning: listening on ${options.host}, not loopback: anyone who can reach this port can read every stream, open connections up to --max-connections and fire the trigger. Set --token (or SSE_TUI_TOKEN) to require a token${options.tlsCert === undefined ? ', and --tls-cert/--tls-key so it does not travel in clear' : ''}.`;
	}

	return options.tlsCert === undefined
		? `warning: listening on ${options.host}, not loopback, without TLS: the --token travels in clear text; add --tls-cert and --tls-key.`
		: undefined;
}

/**
 * A token bucket: `rate` per second, at most `burst` saved up. `take()` answers 0 when the
 * request may run, else the milliseconds until one would (for Retry-After).
 */
export class RateLimiter {
	private tokens: number;
	private updatedAt = performance.now();

	constructor(
		private readonly rate: number,
		private readonly burst: number,
	) {
		this.tokens = burst;
	}

	take(cost = 1): number {
		const now = performance.now();
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
		this.updatedAt = now;
		if (this.tokens >= cost) {
			this.tokens -= cost;
			return 0;
		}

		return Math.ceil(((cost - this.tokens) / this.rate) * 1000);
	}
}
