import {createWriteStream, type WriteStream} from 'node:fs';
import {once} from 'node:events';
import type {Writable} from 'node:stream';
import type {ClientEvent} from '../engine/types.js';
import {RunError} from '../errors.js';
import {redactUrl} from '../redact.js';

export type EventLog = {
	write(event: ClientEvent): void;
	close(): Promise<void>;
};

/**
 * `--events`: one JSON line per thing a client saw, with `t` = ms since the run started.
 * The object is the engine's ClientEvent as is, so the log and the metrics never disagree.
 * A file that opened but cannot be written (`/proc/version`, a full disk) calls `onFailure`
 * once with a one-line reason, and the log writes nothing more.
 */
export async function openEventLog(target: string, stdout: Writable, elapsed: () => number, onFailure: (reason: string) => void = () => undefined, {append = false}: {append?: boolean} = {}): Promise<EventLog> {
	let stream: Writable;
	let failed = false;
	if (target === '-') {
		stream = stdout;
	} else {
		// Worker processes append to the file the parent created: on Linux each write (a line, or a
		// writev of queued lines) lands whole at the end, so lines of two workers never mix.
		const file: WriteStream = createWriteStream(target, {flags: append ? 'a' : 'w'});
		try {
			await once(file, 'open');
		} catch (error) {
			throw new RunError(`cannot write the event log to ${target}: ${(error as Error).message}; pass --events a writable file path`);
		}

		stream = file;
		file.on('error', (error: Error) => {
			if (!failed) {
				failed = true;
				onFailure(`cannot write the event log to ${target}: ${error.message}`);
			}
		});
	}

	// Every client opens the same URL: redact it once.
	let lastUrl = '';
	let lastShown = '';
	const shownUrl = (url: string): string => {
		if (url !== lastUrl) {
			lastUrl = url;
			lastShown = redactUrl(url);
		}

		return lastShown;
	};

	return {
		write(event) {
			if (!failed) {
				const shown = event.kind === 'open' ? {...event, url: shownUrl(event.url)} : event;
				stream.write(JSON.stringify({...shown, t: Math.round(elapsed() * 10) / 10}) + '\n');
			}
		},
		async close() {
			if (stream === stdout || failed) {
				return;
			}

			stream.end();
			await once(stream, 'finish').catch(() => undefined);
		},
	};
}
