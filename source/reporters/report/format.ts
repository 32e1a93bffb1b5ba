import {formatDuration} from '../../units.js';

const grouped = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const oneDecimal = new Intl.NumberFormat('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1});

/** The dash the report shows for "nothing measured". */
export const none = '–';

export function formatCount(value: number): string {
	return grouped.format(value);
}

export function formatRate(value: number): string {
	return Number.isInteger(value) ? grouped.format(value) : oneDecimal.format(value);
}

/** Milliseconds with the precision that matters at that size: 0.42 ms, 12.3 ms, 845 ms, 2.1 s. */
export function formatMs(ms: number | null | undefined): string {
	if (ms === null || ms === undefined) {
		return none;
	}

	if (ms >= 10_000) {
		return formatDuration(ms);
	}

	if (ms >= 1000) {
		return `${(ms / 1000).toFixed(2)} s`;
	}

	return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

/** Milliseconds as a bare number for a table whose header names the unit: 0.42, 12.3, 845, 12,345. */
export function formatMsNumber(ms: number): string {
	return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : grouped.format(ms);
}

/** 0..1 as a percentage; never rounds a shortfall up to 100 %. */
export function formatRatio(ratio: number | null | undefined): string {
	if (ratio === null || ratio === undefined) {
		return none;
	}

	const percent = Math.floor(ratio * 10_000) / 100;
	return `${percent.toFixed(ratio < 1 ? 2 : 0)} %`;
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Seconds on a time axis: 0s, 45s, 2m, 1m30s, 1h05m. */
export function formatSeconds(seconds: number): string {
	if (seconds < 60) {
		return `${seconds}s`;
	}

	return seconds % 60 === 0 && seconds < 3600 ? `${seconds / 60}m` : formatDuration(seconds * 1000);
}

const upToThree = new Intl.NumberFormat('en-US', {maximumFractionDigits: 3});

/** Any value whose unit is not known here (a threshold's): grouped, at most 3 decimals. */
export function formatNumber(value: number): string {
	return upToThree.format(value);
}
