import meow, {type AnyFlags} from 'meow';
import {UsageError} from '../source/errors.js';

const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/**
 * meow reports unknown flags on two lines and calls process.exit; checking first keeps the
 * message to one line and the exit code with the caller. Shared with `sse-tui publish`.
 */
export function checkArguments(argv: readonly string[], flagNames: readonly string[], command: string): void {
	const knownFlags = new Set(flagNames.flatMap(name => [name, kebab(name)]));
	for (const argument of argv) {
		if (argument === '--') {
			break;
		}

		if (argument === '-h') {
			continue; // The short form of --help.
		}

		// A negative number is a (bad) value, reported by the flag's own check.
		if (argument.startsWith('-') && argument.length > 1 && !/^-\d/.test(argument)) {
			const name = argument.replace(/^--?/, '').split('=')[0]!;
			if (!knownFlags.has(name) && !knownFlags.has(name.replace(/^no-/, ''))) {
				throw new UsageError(`unknown flag ${argument.split('=')[0]}; run "${command} --help" for the list`);
			}
		}
	}
}

/**
 * meow for a subcommand (`sse-tui serve`, `sse-tui publish`): unknown flags and meow's own
 * complaints become one-line UsageErrors naming the subcommand's --help; the command prints
 * help itself, so meow never exits the process.
 */
export function parseSubcommand<Flags extends AnyFlags>(argv: string[], {name, help, flags, importMeta}: {name: string; help: string; flags: Flags; importMeta: ImportMeta}) {
	checkArguments(argv, Object.keys(flags), name);
	try {
		return meow(help, {
			importMeta,
			argv,
			flags,
			allowUnknownFlags: false,
			autoHelp: false,
			autoVersion: false,
			description: false,
			booleanDefault: undefined,
		});
	} catch (error) {
		// meow throws plain Errors for repeated flags; keep its first line.
		throw new UsageError(`${String((error as Error).message).split('\n')[0]} See "${name} --help".`);
	}
}
