import type {Config, Environment, RunFlags} from '../config.js';
import {UsageError} from '../errors.js';
import {redactUrl} from '../redact.js';
import {parseThreshold, type Threshold} from '../verdict/threshold-parse.js';

/** One `--target NAME=URL[,key=value…]`: its own complete Config, as if run alone. */
export type CompareTarget = Readonly<{name: string; config: Config}>;

/** `--target` given: 2 to 4 targets compared in one run (source/compare/). */
export type CompareConfig = Readonly<{
	targets: readonly CompareTarget[];
	/** per target, in target order: its thresholds, `expr` prefixed `NAME:` */
	thresholds: readonly (readonly Threshold[])[];
}>;

export const maxTargets = 4;

/** The per-target keys after the URL: `NAME=URL,protocol=websocket,ws-mode=raw`. */
const optionKeys = {
	protocol: 'protocol',
	'ws-mode': 'wsMode',
	channel: 'channel',
	origin: 'origin',
} as const satisfies Record<string, keyof RunFlags>;
type OptionKey = keyof typeof optionKeys;

const example = '--target rails=http://127.0.0.1:3000/dashboard/stream --target cable=ws://127.0.0.1:3000/cable';
const namePattern = /^[A-Za-z][\w-]{0,19}$/;

export type ParsedTarget = {name: string; url: string; options: Partial<Record<OptionKey, string>>};

/** `NAME=URL,key=value,…` -> its parts; a comma inside the URL itself must be written %2C. */
export function parseTarget(text: string): ParsedTarget {
	const equals = text.indexOf('=');
	const name = equals > 0 ? text.slice(0, equals).trim() : '';
	if (!namePattern.test(name)) {
		throw new UsageError(`--target takes NAME=URL, NAME a letter then letters, digits, _ or - (at most 20), like ${example} (got "${redactUrl(text)}")`);
	}

	const [url = '', ...rest] = text.slice(equals + 1).split(',');
	const options: ParsedTarget['options'] = {};
	for (const part of rest) {
		const at = part.indexOf('=');
		const key = (at > 0 ? part.slice(0, at) : part).trim().toLowerCase();
		if (!(key in optionKeys) || at <= 0) {
			throw new UsageError(`--target ${name}: unknown option "${key}"; the options after the URL are ${Object.keys(optionKeys).map(known => `${known}=…`).join(', ')} (a comma inside the URL is written %2C)`);
		}

		options[key as OptionKey] = part.slice(at + 1).trim();
	}

	let parsed: URL;
	try {
		parsed = new URL(url.trim());
	} catch {
		throw new UsageError(`--target ${name}: "${redactUrl(url)}" is not a full URL; write ${name}=http://host:port/path (SSE) or ${name}=ws://host:port/cable (WebSocket)`);
	}

	if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
		throw new UsageError(`--target ${name}: the URL must start with http(s):// (SSE) or ws(s):// (WebSocket) (got "${redactUrl(url)}")`);
	}

	return {name, url: url.trim(), options};
}

/** `NAME=URL` of a known target, or undefined for a plain URL. */
function namedValue(text: string, names: readonly string[]): [string, string] | undefined {
	const match = /^([A-Za-z][\w-]*)=(.*)$/.exec(text.trim());
	if (match && names.includes(match[1]!)) {
		return [match[1]!, match[2]!];
	}

	return undefined;
}

/**
 * `--trigger URL` (one endpoint for every target) or `--trigger NAME=URL` once per target (each
 * target's messages published through its own server) -> the trigger of each target.
 */
function triggers(given: readonly string[], names: readonly string[]): Array<string | undefined> {
	if (given.length === 0) {
		return names.map(() => undefined);
	}

	const named = given.map(text => namedValue(text, names));
	if (given.length === 1 && named[0] === undefined) {
		return names.map(() => given[0]);
	}

	const byName = new Map<string, string>();
	for (const [index, pair] of named.entries()) {
		if (pair === undefined || byName.has(pair[0])) {
			throw new UsageError(`--trigger with --target: one URL for every target, or NAME=URL once for each target (${names.join(', ')}) (got "${redactUrl(given[index]!)}")`);
		}

		byName.set(pair[0], pair[1]);
	}

	const missing = names.filter(name => !byName.has(name));
	if (missing.length > 0) {
		throw new UsageError(`--trigger NAME=URL is needed for every target: add ${missing.map(name => `--trigger ${name}=http://…/dashboard/trigger-test`).join(' ')}`);
	}

	return names.map(name => byName.get(name));
}

/** `rails:p99<300ms` applies to rails; `p99<300ms` to every target, each judged on its own. */
function targetThresholds(given: readonly string[], names: readonly string[]): Threshold[][] {
	const out: Threshold[][] = names.map(() => []);
	for (const text of given) {
		const match = /^\s*([A-Za-z][\w-]*)\s*:(.*)$/.exec(text);
		if (match && !names.includes(match[1]!)) {
			throw new UsageError(`--threshold "${text}": "${match[1]}" is not a target; name one of ${names.join(', ')} (NAME:METRIC OP VALUE), or leave the name out to judge every target`);
		}

		const parsed = parseThreshold(match ? match[2]! : text);
		for (const [index, name] of names.entries()) {
			if (!match || match[1] === name) {
				out[index]!.push(Object.freeze({...parsed, expr: `${name}:${parsed.expr}`}));
			}
		}
	}

	return out;
}

type Resolve = (flags: RunFlags, env: Environment, options: {isTTY?: boolean}) => Config;

/**
 * `--target` runs: each target resolved by the ordinary rules (`resolve` is config.ts's
 * resolveConfig, passed in so this module imports only its types), with the target's URL and
 * options and every run flag; the run's Config is the first target's, with `compare` set.
 */
export function resolveCompare(flags: RunFlags, env: Environment, options: {isTTY?: boolean}, resolve: Resolve): Config {
	const given = flags.target ?? [];
	if (flags.url !== undefined || flags.port !== undefined) {
		throw new UsageError(`--target names each target's URL: drop ${flags.url === undefined ? '--port' : '--url'} (or drop --target to test one URL)`);
	}

	if (given.length < 2 || given.length > maxTargets) {
		throw new UsageError(`--target compares 2 to ${maxTargets} targets (got ${given.length}): give it once per target, e.g. ${example}`);
	}

	const parsed = given.map(text => parseTarget(text));
	const names = parsed.map(target => target.name);
	const twice = names.find((name, index) => names.indexOf(name) !== index);
	if (twice !== undefined) {
		throw new UsageError(`--target ${twice} is given twice: give each target its own name`);
	}

	refuseUnsupported(flags);
	const trigger = typeof flags.trigger === 'string' ? [flags.trigger] : flags.trigger ?? [];
	const triggerOf = triggers(trigger, names);
	const thresholds = targetThresholds(flags.threshold ?? [], names);
	let runId: string | undefined;
	const targets = parsed.map(({name, url, options: set}, index) => {
		const websocket = /^wss?:/i.test(url);
		const protocol = set.protocol ?? (websocket ? 'websocket' : flags.protocol);
		if (websocket && protocol !== undefined && !['websocket', 'ws'].includes(protocol)) {
			throw new UsageError(`--target ${name}: a ws:// URL is a WebSocket target; drop protocol=${protocol}, or give an http:// URL for SSE`);
		}

		let config: Config;
		try {
			config = resolve({
				...flags,
				target: undefined,
				threshold: undefined,
				abortOnFail: undefined,
				url,
				protocol,
				wsMode: set['ws-mode'] ?? flags.wsMode,
				channel: set.channel ?? flags.channel,
				origin: set.origin ?? flags.origin,
				trigger: triggerOf[index],
			}, env, options);
		} catch (error) {
			// The ordinary rules name --url, --protocol…: say which target they are about.
			throw error instanceof UsageError ? new UsageError(`--target ${name}: ${error.message}`) : error;
		}

		// One run id for every target: one publish reaches them all, and each tells the run's messages apart.
		runId ??= config.broadcast?.runId;
		return Object.freeze({name, config: Object.freeze({...config, thresholds: thresholds[index]!, broadcast: config.broadcast && Object.freeze({...config.broadcast, runId: runId!})})});
	});

	if (flags.abortOnFail && thresholds.every(list => list.length === 0)) {
		throw new UsageError('--abort-on-fail needs at least one --threshold, for example --threshold \'errors==0\'');
	}

	const first = targets[0]!.config;
	return Object.freeze({
		...first,
		thresholds: Object.freeze(thresholds.flat()),
		abortOnFail: Boolean(flags.abortOnFail),
		compare: Object.freeze({targets: Object.freeze(targets), thresholds: Object.freeze(thresholds)}),
	});
}

/** What a compared run cannot do yet: one line each, naming the way out. */
function refuseUnsupported(flags: RunFlags): void {
	if (flags.workers !== undefined && flags.workers.trim() !== '1') {
		throw new UsageError('--target runs every target\'s clients in this one process: drop --workers (or compare with --workers 1)');
	}

	const shaped = flags.stages === undefined ? (flags.connectRate === undefined ? undefined : '--connect-rate') : '--stages';
	const scenario = ['hold', 'churn', 'storm'].includes(flags.scenario ?? '') ? `--scenario ${flags.scenario}` : undefined;
	if (shaped ?? scenario) {
		throw new UsageError(`${shaped ?? scenario} steers one pool of clients and cannot be used with --target yet: compare with --clients and --ramp`);
	}

	if (flags.watchRedis !== undefined || flags.watchStats !== undefined) {
		throw new UsageError(`${flags.watchRedis === undefined ? '--watch-stats' : '--watch-redis'} watches one server and cannot be used with --target yet: run it against one target without --target`);
	}
}
