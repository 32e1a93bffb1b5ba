import type {AnyFlags} from 'meow';
import {parseCommand} from '../source/arguments.js';

/**
 * meow for a subcommand (`sse-tui serve`, `sse-tui publish`): unknown flags and meow's own
 * complaints become one-line UsageErrors naming the subcommand's --help; the command prints
 * help itself, so meow never exits the process. The rules are the main command's
 * (source/arguments.ts).
 */
export async function parseSubcommand<Flags extends AnyFlags>(argv: string[], {name, help, flags, importMeta}: {name: string; help: string; flags: Flags; importMeta: ImportMeta}) {
	return parseCommand(argv, {name, help, flags, importMeta});
}
