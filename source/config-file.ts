import {existsSync, readFileSync, statSync} from 'node:fs';
import {relative, resolve} from 'node:path';
import {closest} from './arguments.js';
import type {RunFlags} from './config.js';
import {UsageError} from './errors.js';
import {runCommand} from './flags/run.js';
import {allFlags, kebab, type Flag} from './flags/types.js';
import {scenarioNames} from './scenarios.js';

/**
 * `--config FILE` and `./sse-tui.config.json`: run flags (camelCase keys, the flags' names),
 * named scenarios, thresholds. Checked key by key against the flag definitions; every mistake is
 * one line naming the key and the fix. Merged under the command line: command line > the file's
 * scenario > the file's top level (and then, in resolveConfig, the environment and defaults).
 */

export const autoConfigName = 'sse-tui.config.json';

/** Where a setting came from, for --print-config. */
export type Source = 'command line' | 'config file' | `config file, scenario ${string}`;

export type Settings = {
	flags: RunFlags;
	/** the file read, absolute; undefined when none */
	file: string | undefined;
	/** true when it was ./sse-tui.config.json, found without --config */
	auto: boolean;
	/** the file's named scenario that ran */
	scenario: string | undefined;
	sources: Record<string, Source>;
};

type FileFlags = Record<string, string | boolean | string[]>;

const fileFlags = new Map<string, Flag>(allFlags(runCommand).filter(flag => !flag.cliOnly).map(flag => [flag.name, flag]));

/**
 * Flags that say the same thing two ways: one given on the command line drops the file's others
 * (a file's `url` must not beat `--port` on the command line).
 */
const alternatives: ReadonlyArray<readonly string[]> = [['url', 'port'], ['connectRate', 'ramp'], ['publish', 'trigger'], ['stages', 'clients'], ['logLevel', 'debug']];

/** The command line's flags with the config file's under them (the file is read here). */
export function applyConfigFile(cli: RunFlags, {cwd, demo = false}: {cwd: string; demo?: boolean}): Settings {
	const given = typeof cli.config === 'string' ? cli.config : undefined;
	if (given?.trim() === '') {
		throw new UsageError(`--config needs the path of a JSON file, e.g. --config ${autoConfigName}`);
	}

	if (demo && given !== undefined) {
		throw new UsageError('demo runs against its own bundled server and reads no config file: drop --config (or run "sse-tui --config …" against yours)');
	}

	const autoPath = resolve(cwd, autoConfigName);
	const path = given === undefined ? ((cli.config as unknown) === false || demo || !existsSync(autoPath) ? undefined : autoPath) : resolve(cwd, given);
	const commandLine = Object.fromEntries(Object.entries(cli).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))) as FileFlags;
	if (path === undefined) {
		const sources = Object.fromEntries(Object.keys(commandLine).map(key => [key, 'command line' as const]));
		return {flags: commandLine as RunFlags, file: undefined, auto: false, scenario: undefined, sources};
	}

	const name = given ?? relative(cwd, path);
	const {top, scenarios} = readConfigFile(path, name);
	const wanted = (commandLine['scenario'] ?? top['scenario']) as string | undefined;
	const named = wanted !== undefined && Object.hasOwn(scenarios, wanted) ? wanted : undefined;
	if (wanted !== undefined && named === undefined && !(scenarioNames as string[]).includes(wanted)) {
		const choices = [...scenarioNames, ...Object.keys(scenarios)];
		const suggestion = closest(wanted, choices);
		throw new UsageError(`--scenario ${wanted} is neither built in nor in ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; the scenarios are ${choices.join(', ')}`);
	}

	const layers: Array<[FileFlags, Source]> = [[top, 'config file']];
	if (named !== undefined) {
		// The name picked the file's scenario; its own "scenario" (if any) is the built-in it builds on.
		delete top['scenario'];
		delete commandLine['scenario'];
		layers.push([scenarios[named]!, `config file, scenario ${named}`]);
	}

	const merged: FileFlags = {};
	const fileSources: Record<string, Source> = {};
	for (const [layer, source] of layers) {
		for (const [key, value] of Object.entries(layer)) {
			merged[key] = value;
			fileSources[key] = source;
		}
	}

	for (const group of alternatives) {
		if (group.some(key => commandLine[key] !== undefined)) {
			for (const key of group) {
				delete merged[key];
				delete fileSources[key];
			}
		}
	}

	return {
		flags: {...merged, ...commandLine} as RunFlags,
		file: path,
		auto: given === undefined,
		scenario: named,
		sources: {...fileSources, ...Object.fromEntries(Object.keys(commandLine).map(key => [key, 'command line' as const]))},
	};
}

/** Reads and checks a config file: its top-level flags and its named scenarios, values as the command line gives them. */
export function readConfigFile(path: string, name: string): {top: FileFlags; scenarios: Record<string, FileFlags>} {
	let text: string;
	try {
		if (statSync(path).isDirectory()) {
			throw new UsageError(`--config ${name} is a directory: give the path of a JSON file like ${autoConfigName}`);
		}

		text = readFileSync(path, 'utf8');
	} catch (error) {
		if (error instanceof UsageError) {
			throw error;
		}

		const code = (error as NodeJS.ErrnoException).code;
		throw new UsageError(`--config ${name}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(error)})`}; give the path of a JSON file like ${autoConfigName}, or drop --config`);
	}

	const json = parseJson(text, name);
	if (typeof json !== 'object' || json === null || Array.isArray(json)) {
		throw new UsageError(`${name} must hold one JSON object of flags, like {"clients": 100, "duration": "1m"}`);
	}

	const {scenarios: rawScenarios, ...rest} = json as Record<string, unknown>;
	const top = checkFlags(rest, name, '');
	const scenarios: Record<string, FileFlags> = {};
	if (rawScenarios !== undefined) {
		if (typeof rawScenarios !== 'object' || rawScenarios === null || Array.isArray(rawScenarios)) {
			throw new UsageError(`${name}: "scenarios" must be an object of named scenarios, like {"nightly": {"clients": 500, "duration": "10m"}}`);
		}

		for (const [scenario, body] of Object.entries(rawScenarios)) {
			const where = `scenarios.${scenario}.`;
			if ((scenarioNames as string[]).includes(scenario)) {
				throw new UsageError(`${name}: "scenarios.${scenario}": ${scenario} is a built-in scenario; give yours another name and build on it with "scenario": "${scenario}"`);
			}

			if (!/^[\w-]+$/.test(scenario)) {
				throw new UsageError(`${name}: "scenarios.${scenario}": a scenario's name is letters, digits, _ and -, like nightly or smoke-ci`);
			}

			if (typeof body !== 'object' || body === null || Array.isArray(body)) {
				throw new UsageError(`${name}: "scenarios.${scenario}" must be an object of flags, like {"clients": 500}`);
			}

			if ('scenarios' in body) {
				throw new UsageError(`${name}: "${where}scenarios": scenarios cannot hold scenarios; move it to the top-level "scenarios"`);
			}

			const flags = checkFlags(body as Record<string, unknown>, name, where);
			if (flags['scenario'] !== undefined && !(scenarioNames as string[]).includes(flags['scenario'] as string)) {
				throw new UsageError(`${name}: "${where}scenario" can build on a built-in scenario only: ${scenarioNames.join(', ')} (got "${String(flags['scenario'])}")`);
			}

			scenarios[scenario] = flags;
		}
	}

	return {top, scenarios};
}

function checkFlags(object: Record<string, unknown>, name: string, where: string): FileFlags {
	const flags: FileFlags = {};
	for (const [key, value] of Object.entries(object)) {
		const flag = fileFlags.get(key);
		if (flag === undefined) {
			throw new UsageError(`${name}: ${unknownKey(key, where)}`);
		}

		flags[key] = checkValue(flag, value, `${name}: "${where}${key}"`);
	}

	return flags;
}

function unknownKey(key: string, where: string): string {
	const camel = key.replace(/^-+/, '').replaceAll(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
	if (camel !== key && fileFlags.has(camel)) {
		return `"${where}${key}": keys are the flags' names in camelCase: write "${camel}"`;
	}

	const cliOnly = allFlags(runCommand).find(flag => flag.cliOnly && (flag.name === camel || kebab(flag.name) === key));
	if (cliOnly !== undefined) {
		return `"${where}${key}" works on the command line only (--${kebab(cliOnly.name)}); drop it from the file`;
	}

	const suggestion = closest(camel, [...fileFlags.keys(), ...(where === '' ? ['scenarios'] : [])]);
	return `unknown key "${where}${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; the keys are the flags of "sse-tui --help" in camelCase, and "scenarios"`;
}

const describe = (value: unknown): string => {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** A file value as the command line would give it: strings (numbers written as such), booleans, string arrays. */
function checkValue(flag: Flag, value: unknown, where: string): string | boolean | string[] {
	const label = `--${kebab(flag.name)}`;
	if (flag.type === 'boolean') {
		if (typeof value !== 'boolean') {
			throw new UsageError(`${where} must be true or false, as ${flag.label ?? label} is a switch (got ${describe(value)})`);
		}

		return value;
	}

	const scalar = (item: unknown): string | undefined =>
		typeof item === 'string' ? item : typeof item === 'number' && Number.isFinite(item) ? String(item) : undefined;
	if (flag.multiple) {
		const items = Array.isArray(value) ? value : [value];
		const strings = items.map(item => scalar(item));
		if (items.length === 0 || strings.some(item => item === undefined)) {
			throw new UsageError(`${where} must be a string or an array of strings, one per ${label} (got ${describe(value)})`);
		}

		return strings as string[];
	}

	if (flag.type === 'json') {
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			return JSON.stringify(value);
		}

		if (typeof value !== 'string') {
			throw new UsageError(`${where} must be a JSON object like {"room": "1"} (got ${describe(value)})`);
		}

		return value;
	}

	const text = scalar(value);
	if (text === undefined) {
		throw new UsageError(`${where} must be a string${flag.arg === 'N' ? ' or a number' : ''} like ${label} takes${flag.default ? `, e.g. ${JSON.stringify(flag.default.replaceAll('`', '').split(' ')[0])}` : ''} (got ${describe(value)})`);
	}

	return text;
}

/** JSON.parse, its error as `FILE:LINE:COLUMN: …` (V8 says only "at position N"). */
function parseJson(text: string, name: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		const message = String((error as Error).message);
		const position = /at position (\d+)/.exec(message);
		const offset = position ? Number(position[1]) : text.length;
		const before = text.slice(0, offset).split('\n');
		const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
		throw new UsageError(`${name}:${before.length}:${before.at(-1)!.length + 1}: not valid JSON (${reason}); keys and strings need double quotes, and no comma may follow the last item`);
	}
}
