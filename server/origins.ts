import {UsageError} from '../source/errors.js';

const localHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `https://Example.com:443/` -> `https://example.com`; undefined when not an http(s) origin. */
function normalizeOrigin(text: string): string | undefined {
	try {
		const url = new URL(text);
		if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
			return undefined;
		}

		return url.origin;
	} catch {
		return undefined;
	}
}

/**
 * Decides whether a /cable upgrade may proceed. Browsers always send `Origin`, so a request
 * without one comes from a script or load tester and is let through, as is any origin when
 * the list contains `*`. With no list, only localhost pages (any port) are allowed.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
	if (origin === undefined) {
		return true;
	}

	if (allowed === undefined) {
		try {
			const url = new URL(origin);
			return (url.protocol === 'http:' || url.protocol === 'https:') && localHosts.has(url.hostname);
		} catch {
			return false;
		}
	}

	if (allowed.includes('*')) {
		return true;
	}

	const normalized = normalizeOrigin(origin);
	return normalized !== undefined && allowed.includes(normalized);
}

/** `--allowed-origins "https://a.example, http://localhost:5173"` -> normalised list, or `['*']`. */
export function parseAllowedOrigins(text: string, flag: string): string[] {
	const entries = text.split(',').map(entry => entry.trim()).filter(entry => entry !== '');
	if (entries.length === 0) {
		throw new UsageError(`${flag} must list origins like https://example.com,http://localhost:5173 or * (got "${text}")`);
	}

	return entries.map(entry => {
		if (entry === '*') {
			return entry;
		}

		const origin = normalizeOrigin(entry);
		if (origin === undefined) {
			throw new UsageError(`${flag} entries must be origins like https://example.com:8443 (scheme, host, optional port) or * (got "${entry}")`);
		}

		return origin;
	});
}
