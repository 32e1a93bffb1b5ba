import {UsageError} from './errors.js';

/** `redis://:secret@host:6379/0` -> `redis://:***@host:6379/0`; never log a Redis URL without it. */
export function redactRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) {
			parsed.password = '***';
		}

		return parsed.toString().replace(/\/$/, '');
	} catch {
		// Not a URL: hide whatever sits between a colon and an @, the usual place of a password.
		return url.replaceAll(/:[^:@/]*@/g, ':***@');
	}
}

/**
 * Checks a --redis value (or REDIS_URL): `redis://[user][:password@]host[:port][/db]`, `rediss://`
 * for TLS, or a bare `host:port`. Returns the URL for ioredis; errors never echo the password.
 */
export function parseRedisUrl(text: string, flag: string): string {
	const raw = text.trim();
	const url = /^[a-z][a-z\d+.-]*:\/\//i.test(raw) ? raw : `redis://${raw}`;
	const fail = (why: string): never => {
		throw new UsageError(`${flag} ${why}: use redis://host:6379, redis://:password@host:6379/0 or rediss:// for TLS (got "${redactRedisUrl(raw)}")`);
	};

	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return fail('is not a URL');
	}

	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
		fail(`must be a redis:// or rediss:// URL`);
	}

	if (parsed.hostname === '') {
		fail('needs a host');
	}

	if (parsed.pathname !== '' && parsed.pathname !== '/' && !/^\/\d{1,2}$/.test(parsed.pathname)) {
		fail('may only have a database number as its path');
	}

	return url;
}
