/** Small helpers shared by the benchmarks: argv options, medians, plain-text tables. */
import process from 'node:process';

const args = process.argv.slice(2);

/** `--name value` from argv, or the fallback. */
export function option(name: string, fallback: string): string {
	const index = args.indexOf(name);
	return index === -1 ? fallback : (args[index + 1] ?? fallback);
}

export function flag(name: string): boolean {
	return args.includes(name);
}

/** A whole number >= min from `--name`, or exit 2 with a message naming the fix. */
export function integerOption(name: string, fallback: number, min = 1): number {
	const text = option(name, String(fallback));
	const value = Number(text);
	if (!Number.isInteger(value) || value < min) {
		console.error(`${name} must be a whole number >= ${min} (got "${text}")`);
		process.exit(2);
	}

	return value;
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
	const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map(row => (row[column] ?? '').length)));
	const line = (cells: readonly string[]) => cells
		.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
		.join('  ')
		.trimEnd();
	return [line(header), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(row => line(row))].join('\n');
}

export const fixed = (value: number, digits = 1): string => value.toFixed(digits);
export const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
export const kib = (bytes: number): string => (bytes / 1024).toFixed(2);
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** The shared clock of all processes on this machine, in ms. */
export const now = (): number => performance.timeOrigin + performance.now();

export async function delay(ms: number): Promise<void> {
	return new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}
