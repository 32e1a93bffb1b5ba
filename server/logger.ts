import type {Writable} from 'node:stream';
import type {LogLevel} from './options.js';

const rank: Record<LogLevel, number> = {error: 0, warn: 1, info: 2, debug: 3};

export type LogFields = Record<string, string | number | boolean | undefined>;

export type Logger = {
	error(message: string, fields?: LogFields): void;
	warn(message: string, fields?: LogFields): void;
	info(message: string, fields?: LogFields): void;
	debug(message: string, fields?: LogFields): void;
	enabled(level: LogLevel): boolean;
};

/**
 * One line per event. Callers pass only the fields they choose, never whole header objects,
 * so Authorization and Cookie values cannot end up in a log.
 */
export function createLogger({level, json, stream, base}: {level: LogLevel; json: boolean; stream: Writable; base?: LogFields}): Logger {
	const write = (at: LogLevel, message: string, own: LogFields = {}): void => {
		if (rank[at] > rank[level]) {
			return;
		}

		// `base` names the process in a cluster (worker=2) on every line.
		const fields = base ? {...base, ...own} : own;

		const time = new Date().toISOString();
		if (json) {
			stream.write(JSON.stringify({time, level: at, msg: message, ...fields}) + '\n');
			return;
		}

		let line = `${time} ${at.padEnd(5)} ${message}`;
		for (const [key, value] of Object.entries(fields)) {
			if (value !== undefined) {
				const text = String(value);
				line += ` ${key}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
			}
		}

		stream.write(line + '\n');
	};

	return {
		error: (message, fields) => write('error', message, fields),
		warn: (message, fields) => write('warn', message, fields),
		info: (message, fields) => write('info', message, fields),
		debug: (message, fields) => write('debug', message, fields),
		enabled: at => rank[at] <= rank[level],
	};
}
