import {UsageError} from './errors.js';

const durationUnits: Record<string, number> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
};

/**
 * The longest delay setTimeout and setInterval honour: 2^31 - 1 ms, about 24.8 days. Node runs a
 * longer one after 1 ms (with a TimeoutOverflowWarning), so `--interval 1000h` would fire ~1000
 * times a second; every duration flag is refused past it instead.
 */
export const maxTimerMs = 2 ** 31 - 1;

/**
 * Parses `1500ms`, `30s`, `5m`, `1h` (decimals allowed: `1.5s`) into milliseconds.
 * A bare number is seconds, as in the Go client's `-timeout 60`.
 * At most `maxTimerMs`: every duration ends up in a timer.
 */
export function parseDuration(text: string, flag: string, {allowZero = false} = {}): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
	if (!match && /^\s*-\s*\d/.test(text)) {
		throw new UsageError(`${flag} must be ${allowZero ? '0 or ' : ''}a positive duration like 1500ms, 30s, 5m or 1h (got "${text}")`);
	}

	if (!match) {
		throw new UsageError(`${flag} must be a duration like 1500ms, 30s, 5m or 1h (got "${text}")`);
	}

	const value = Math.round(Number(match[1]) * durationUnits[(match[2] ?? 's').toLowerCase()]!);
	if (value === 0 && !allowZero) {
		throw new UsageError(`${flag} must be greater than zero (got "${text}")`);
	}

	if (value > maxTimerMs) {
		throw new UsageError(`${flag} must be at most ${maxTimerMs}ms (about 24.8 days, the longest timer Node.js can set; got "${text}")`);
	}

	return value;
}

const byteUnits: Record<string, number> = {
	b: 1,
	kb: 1000,
	kib: 1024,
	mb: 1_000_000,
	mib: 1024 ** 2,
	gb: 1_000_000_000,
	gib: 1024 ** 3,
};

/** Parses `8MiB`, `512KiB`, `1MB`, `65536` (bytes) into a byte count. */
export function parseBytes(text: string, flag: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(text);
	if (!match) {
		throw new UsageError(`${flag} must be a size like 65536, 512KiB or 8MiB (got "${text}")`);
	}

	const value = Math.floor(Number(match[1]) * byteUnits[(match[2] ?? 'b').toLowerCase()]!);
	if (value < 1) {
		throw new UsageError(`${flag} must be at least 1 byte (got "${text}")`);
	}

	return value;
}

/** Parses a whole number within bounds, for flags like --clients and --port. */
export function parseInteger(text: string | number, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
	const raw = String(text).trim();
	const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
	if (!Number.isSafeInteger(value) || value < min || value > max) {
		const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
		throw new UsageError(`${flag} must be a whole number ${range} (got "${raw}")`);
	}

	return value;
}

/** `1234` -> `1.2s`, `95000` -> `1m35s`: for banners and summaries. */
export function formatDuration(ms: number): string {
	if (ms < 1000) {
		return `${Math.round(ms)}ms`;
	}

	if (ms <= 60_000) {
		return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
	}

	const totalSeconds = Math.round(ms / 1000);
	const hours = Math.floor(totalSeconds / 3600);
	const minutes = Math.floor((totalSeconds % 3600) / 60);
	const seconds = totalSeconds % 60;
	return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** One of the accepted words, or a UsageError listing them. */
export function oneOf<T extends string>(value: string, choices: readonly T[], flag: string): T {
	if (!(choices as readonly string[]).includes(value)) {
		throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got "${value}")`);
	}

	return value as T;
}
