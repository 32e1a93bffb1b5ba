import {UsageError} from '../errors.js';
import {redactUrl} from '../redact.js';
import {parseBytes} from '../units.js';

/**
 * Flag values both publishers take, from `sse-tui publish` and from the broadcast scenario: one
 * parser each, so the two commands accept and refuse the same things.
 */

/** `100`, `100/s`, `0.5` messages per second; 0 = as fast as possible. */
export function parseRate(text: string, flag: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/i.exec(text);
	const value = match ? Number(match[1]) : Number.NaN;
	if (!Number.isFinite(value) || value > 1_000_000) {
		throw new UsageError(`${flag} must be messages per second like 100 or 100/s, 0 for as fast as possible (got "${text}")`);
	}

	return value;
}

/** A trigger endpoint's URL; a bare origin gets `/dashboard/trigger-test`, the reference server's. */
export function parseTriggerUrl(text: string, flag: string): string {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`${flag} must be a URL like http://127.0.0.1:3001/dashboard/trigger-test (got "${redactUrl(text)}")`);
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`${flag} must be an http:// or https:// URL (got "${redactUrl(text)}")`);
	}

	if (url.pathname === '/') {
		url.pathname = '/dashboard/trigger-test';
	}

	return url.href;
}

/** Padding caps: a Redis message of 1 MiB is already a big one; the reference server's trigger refuses more than 64 KiB. */
export const padLimits = {
	redis: {bytes: 1024 * 1024, text: '1MiB through Redis'},
	http: {bytes: 65_536, text: '64KiB through a trigger endpoint (its own limit)'},
} as const;

/** --pad: bytes of padding per test update, 0 for none, within the limit of where it is published. */
export function parsePad(text: string | undefined, flag: string, via: keyof typeof padLimits): number {
	if (text === undefined || text.trim() === '0') {
		return 0;
	}

	const bytes = parseBytes(text, flag);
	const limit = padLimits[via];
	if (bytes > limit.bytes) {
		throw new UsageError(`${flag} can be at most ${limit.text} (got "${text}")`);
	}

	return bytes;
}
