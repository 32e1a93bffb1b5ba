import type {LogLevel} from '../config.js';

const bars = '▁▂▃▄▅▆▇█';

/** The last `width` values as block characters scaled to their maximum; zeros draw as the lowest bar. */
export function sparkline(values: readonly number[], width: number): string {
	const shown = values.slice(Math.max(0, values.length - width));
	const max = Math.max(0, ...shown);
	let line = '';
	for (const value of shown) {
		const level = max <= 0 ? 0 : Math.round((Math.max(0, value) / max) * (bars.length - 1));
		line += bars[level];
	}

	return line;
}

/** Age of a time `at` (ms since start, -1 = never) at `now`: `-`, `0.4s`, `12s`, `3m05s`, `1h02m`. */
export function formatAge(at: number, now: number): string {
	if (at < 0) {
		return '-';
	}

	const ms = Math.max(0, now - at);
	if (ms < 10_000) {
		return `${(ms / 1000).toFixed(1)}s`;
	}

	const seconds = Math.floor(ms / 1000);
	if (seconds < 100) {
		return `${seconds}s`;
	}

	const hours = Math.floor(seconds / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** A duration in ms (-1 = none) in at most 7 characters. */
export function formatMs(ms: number): string {
	if (ms < 0 || !Number.isFinite(ms)) {
		return '-';
	}

	if (ms < 100) {
		return `${ms.toFixed(1)}ms`;
	}

	if (ms < 10_000) {
		return `${Math.round(ms)}ms`;
	}

	return `${(ms / 1000).toFixed(ms < 100_000 ? 1 : 0)}s`;
}

/** A counter in at most 6 characters: 12345, 123.4k, 12.35M. */
export function formatCount(value: number): string {
	if (value < 100_000) {
		return String(Math.round(value));
	}

	if (value < 1_000_000) {
		return `${(value / 1000).toFixed(1)}k`;
	}

	if (value < 1_000_000_000) {
		return `${(value / 1_000_000).toFixed(value < 10_000_000 ? 2 : 1)}M`;
	}

	return `${(value / 1_000_000_000).toFixed(1)}G`;
}

export function formatRate(perSecond: number): string {
	return perSecond < 100 ? perSecond.toFixed(1) : formatCount(perSecond);
}

/** Pads or cuts `text` to exactly `width` characters, marking a cut with `…`. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (text.length > width) {
		return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
	}

	return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Server-provided text (event ids, error messages) may hold control characters that would move the cursor. */
export function printable(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '?');
}

export const clock = (ms: number) => `+${(ms / 1000).toFixed(1)}s`;

export const levelColor: Record<LogLevel, string> = {error: 'red', warn: 'yellow', info: 'cyan', debug: 'gray'};
