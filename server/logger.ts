import type {Writable} from 'node:stream';
import {clip, createRepeatLimiter} from '../source/log-limit.js';
import {redactText} from '../source/redact.js';
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
 * so Authorization and Cookie values cannot end up in a log; what a field quotes from a
 * request (a path, an Origin) is cut to 200 characters and has tokens redacted
 * (source/redact.ts). A message repeated more than 10 times in 10 s is counted instead of
 * printed, and the count is logged once the 10 s are over.
 */
export function createLogger({level, json, stream, base}: {level: LogLevel; json: boolean; stream: Writable; base?: LogFields}): Logger {
	const emit = (at: LogLevel, message: string, own: LogFields = {}): void => {
		// `base` names the process in a cluster (worker=2) on every line.
		const fields: LogFields = base ? {...base} : {};
		for (const [key, value] of Object.entries(own)) {
			fields[key] = typeof value === 'string' ? redactText(clip(value)) : value;
		}

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

	const repeats = createRepeatLimiter({
		onSuppressed(key, count, windowMs) {
			const at = key.slice(0, key.indexOf(' ')) as LogLevel;
			emit(at, 'repeated log lines suppressed', {message: key.slice(key.indexOf(' ') + 1), suppressed: count, within_ms: windowMs});
		},
	});

	const write = (at: LogLevel, message: string, own?: LogFields): void => {
		if (rank[at] > rank[level] || !repeats.admit(`${at} ${message}`)) {
			return;
		}

		emit(at, message, own);
	};

	return {
		error: (message, fields) => write('error', message, fields),
		warn: (message, fields) => write('warn', message, fields),
		info: (message, fields) => write('info', message, fields),
		debug: (message, fields) => write('debug', message, fields),
		enabled: at => rank[at] <= rank[level],
	};
}
