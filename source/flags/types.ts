/**
 * The shape of a flag definition. Every flag of `sse-tui`, `serve` and `publish` is one entry in
 * source/flags/ (run-*.ts, serve.ts, publish.ts); from those entries come meow's flag spec,
 * `--help`, the README's flag tables (scripts/flags-readme.ts) and the config file's keys.
 * Pure data: nothing here loads a dependency (`--help` must start fast).
 */
export type Flag = {
	/** camelCase: meow's key, the flags object's key and the config file's key; on the command line in kebab-case */
	readonly name: string;
	/** string (the default), boolean, or json: a string on the command line, an object or a string in a config file */
	readonly type?: 'string' | 'boolean' | 'json';
	/** repeatable; an array (or one string) in a config file */
	readonly multiple?: boolean;
	/** the value's placeholder in --help: `--clients N` */
	readonly arg?: string;
	/** the README's type column; derived from `arg` when absent (D: duration, N: whole number, …) */
	readonly kind?: string;
	/** what applies when the flag is absent, as text (`backticks` show in the README only) */
	readonly default?: string;
	/** the environment variable the flag falls back to (the resolver reads it) */
	readonly env?: string;
	/** one line for --help (and the README's meaning column unless `details`) */
	readonly help: string;
	/** more lines under the flag in --help only */
	readonly more?: readonly string[];
	/** the README's meaning column, when it says more than `help` (markdown) */
	readonly details?: string;
	/** the value is a credential: --print-config shows *** */
	readonly secret?: boolean;
	/** only on the command line, never a config file key (--help, --config, --print-config) */
	readonly cliOnly?: boolean;
	/** how --help and the README spell it when not `--kebab-name ARG`, e.g. `--no-tui` */
	readonly label?: string;
	/** meow's one-letter alias */
	readonly shortFlag?: string;
};

export type Section<Flags extends readonly Flag[] = readonly Flag[]> = {
	/** the --help heading, e.g. `WebSocket (--protocol websocket)` */
	readonly title: string;
	/** names the section in README markers: `<!-- flags:run:websocket -->` */
	readonly id: string;
	readonly flags: Flags;
	/** lines printed under the section's flags in --help */
	readonly notes?: readonly string[];
};

export type Example = {
	/** what the commands do, one line */
	readonly task: string;
	readonly commands: readonly string[];
};

export type Command = {
	/** `sse-tui`, `sse-tui serve`, `sse-tui publish`: also the README marker's `run`, `serve`, `publish` */
	readonly name: string;
	readonly id: string;
	readonly usage: readonly string[];
	/** paragraphs after the usage lines */
	readonly intro?: readonly string[];
	readonly sections: readonly Section[];
	readonly examples: readonly Example[];
	/** lines after the examples */
	readonly footer?: readonly string[];
};

/** `maxEventSize` -> `max-event-size` */
export const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/**
 * A section, its flags' names kept as literal types (so `FlagValues` can type the parsed flags).
 * `const` keeps `{name: 'url'}` from widening to `{name: string}`.
 */
export function section<const Flags extends readonly Flag[]>(title: string, id: string, flags: Flags, notes?: readonly string[]): Section<Flags> {
	return notes === undefined ? {title, id, flags} : {title, id, flags, notes};
}

type ValueOf<F> = F extends {type: 'boolean'} ? boolean : F extends {multiple: true} ? string[] : string;

/** The parsed flags of some sections, as meow hands them over: every one optional. */
export type FlagValues<Sections extends readonly Section[]> = {
	-readonly [F in Sections[number]['flags'][number] as F['name']]?: ValueOf<F>;
};

/** Every flag of a command, in --help order. */
export function allFlags(command: Pick<Command, 'sections'>): Flag[] {
	return command.sections.flatMap(each => each.flags);
}

/** The command line spelling: `--no-tui`, or `--kebab-name`. */
export function flagLabel(flag: Flag): string {
	return flag.label ?? `--${kebab(flag.name)}`;
}
