import type {Settings} from './config-file.js';
import type {Config, Environment} from './config.js';
import {runCommand} from './flags/run.js';
import {allFlags} from './flags/types.js';
import {isSecretName, redacted, redactHeaders, redactUrl} from './redact.js';

const urlLike = /^[a-z][\w+.-]*:\/\//i;

/**
 * `--print-config`: what will run, as JSON: the file read, its scenario, every flag set (and
 * where: command line or config file), the environment variables the flags fall back to, and the
 * resolved settings the run would use. Credentials never show: secret flags and header values
 * whose names look like credentials as ***, passwords and credential query parameters in URLs.
 */
export function printConfig(settings: Settings, config: Config, env: Environment): string {
	const flags = allFlags(runCommand);
	const secrets = flags.filter(flag => flag.secret).map(flag => settings.flags[flag.name as keyof typeof settings.flags])
		.flatMap(value => (Array.isArray(value) ? value : [value])).filter((value): value is string => typeof value === 'string' && value !== '');
	const show = config.showHeaderValues;
	const clean = (value: unknown, key = ''): unknown => {
		if (typeof value === 'string') {
			let text = urlLike.test(value) ? redactUrl(value) : value;
			for (const secret of secrets) {
				text = text.replaceAll(secret, redacted);
			}

			return text;
		}

		if (Array.isArray(value)) {
			return value.map(item => key === 'header' && typeof item === 'string' && !show ? headerLine(item) : clean(item));
		}

		if (typeof value === 'object' && value !== null) {
			const object = key === 'headers' ? redactHeaders(value as Record<string, string>, {showValues: show}) : value;
			return Object.fromEntries(Object.entries(object).map(([name, each]) => [name, clean(each, name)]));
		}

		return value;
	};

	const cliOnly = new Set(flags.filter(flag => flag.cliOnly).map(flag => flag.name));
	const given = Object.fromEntries(Object.entries(settings.flags).filter(([key]) => !cliOnly.has(key)));
	const variables = [...new Set(flags.flatMap(flag => flag.env?.split(', then ') ?? []))].filter(name => (env[name] ?? '').trim() !== '');
	return JSON.stringify({
		configFile: settings.file ?? null,
		scenario: settings.scenario ?? null,
		flags: clean(given),
		sources: Object.fromEntries(Object.keys(given).map(key => [key, settings.sources[key] ?? 'command line'])),
		environment: clean(Object.fromEntries(variables.map(name => [name, env[name]]))),
		resolved: clean(config),
	}, (_key, value: unknown) => value === undefined ? null : value, 2) + '\n';
}

function headerLine(line: string): string {
	const colon = line.indexOf(':');
	return colon > 0 && isSecretName(line.slice(0, colon).trim()) ? `${line.slice(0, colon)}: ${redacted}` : line;
}
