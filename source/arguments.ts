import type {AnyFlags} from 'meow';
import {UsageError} from './errors.js';

const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/** A value that starts with a dash but is a (bad) number or duration, like `-1` or `-1s`. */
const negativeValue = /^-\d/;

/**
 * meow reports unknown flags on two lines (no fix, no newline) and calls process.exit; checking
 * first keeps the message to one line, names the command's --help, suggests the closest flag for
 * a typo, and leaves the exit code with the caller. Shared by `sse-tui`, `serve` and `publish`.
 */
export function checkArguments(argv: readonly string[], flagNames: readonly string[], command: string): void {
	const known = flagNames.map(name => kebab(name));
	const knownFlags = new Set([...flagNames, ...known]);
	for (const argument of argv) {
		if (argument === '--') {
			break;
		}

		if (argument === '-h') {
			continue; // The short form of --help.
		}

		if (argument.startsWith('-') && argument.length > 1 && !negativeValue.test(argument)) {
			const name = argument.replace(/^--?/, '').split('=')[0]!;
			if (!knownFlags.has(name) && !knownFlags.has(name.replace(/^no-/, ''))) {
				const suggestion = closest(name, known);
				throw new UsageError(`unknown flag ${argument.split('=')[0]}${suggestion ? ` (did you mean --${suggestion}?)` : ''}; run "${command} --help" for the list`);
			}
		}
	}
}

/**
 * `--duration -1s` would reach the parser as a flag `-1s`: glue a dash-led value that is a
 * negative number to its flag (`--duration=-1s`), so the flag's own check says what is wrong.
 */
export function attachNegativeValues(argv: readonly string[], flags: AnyFlags): string[] {
	const stringFlags = new Set(Object.entries(flags).filter(([, spec]) => spec.type === 'string').map(([name]) => `--${kebab(name)}`));
	const out: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		const next = argv[index + 1];
		if (argument === '--') {
			out.push(...argv.slice(index));
			break;
		}

		if (stringFlags.has(argument) && next !== undefined && negativeValue.test(next)) {
			out.push(`${argument}=${next}`);
			index++;
		} else {
			out.push(argument);
		}
	}

	return out;
}

/**
 * meow for one command: unknown flags and meow's own complaints (a flag given twice) become
 * one-line UsageErrors naming the command's --help.
 */
export async function parseCommand<Flags extends AnyFlags>(argv: readonly string[], {name, help, flags, importMeta, auto = false}: {
	name: string;
	help: string;
	flags: Flags;
	importMeta: ImportMeta;
	/** let meow print --help and --version and exit (the main command); subcommands print help themselves */
	auto?: boolean;
}) {
	checkArguments(argv, [...Object.keys(flags), ...(auto ? ['help', 'version'] : [])], name);
	// Loaded here, not at the top: `sse-tui --help` prints without it (start-up time).
	const {default: meow} = await import('meow');
	try {
		return meow(help, {
			importMeta,
			// checkArguments lets `-h` through for every command; meow only knows --help here.
			argv: attachNegativeValues(auto ? argv.map(argument => argument === '-h' ? '--help' : argument) : argv, flags),
			flags,
			allowUnknownFlags: false,
			autoHelp: auto,
			autoVersion: auto,
			...(auto ? {} : {description: false}),
			booleanDefault: undefined,
		});
	} catch (error) {
		// meow throws plain Errors for repeated flags; keep its first line.
		throw new UsageError(`${String((error as Error).message).split('\n')[0]} See "${name} --help".`);
	}
}

/** The candidate nearest to `typed` by edit distance, if near enough to be a typo of it. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const distance = editDistance(typed.toLowerCase(), candidate);
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	// Two edits at most, and fewer than half the word: `--x` suggests nothing.
	return bestDistance <= Math.min(2, Math.floor((typed.length - 1) / 2)) ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions (`--cleints` is one edit from `--clients`). */
function editDistance(a: string, b: string): number {
	const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
				value = Math.min(value, rows[i - 2]![j - 2]! + 1);
			}

			rows[i]![j] = value;
		}
	}

	return rows[a.length]![b.length]!;
}
