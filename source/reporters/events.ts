import {createWriteStream, type WriteStream} from 'node:fs';
import {once} from 'node:events';
import type {Writable} from 'node:stream';
import type {ClientEvent} from '../engine/types.js';
import {RunError} from '../errors.js';

export type EventLog = {
	write(event: ClientEvent): void;
	close(): Promise<void>;
};

/**
 * `--events`: one JSON line per thing a client saw, with `t` = ms since the run started.
 * The object is the engine's ClientEvent as is, so the log and the metrics never disagree.
 */
export async function openEventLog(target: string, stdout: Writable, elapsed: () => number): Promise<EventLog> {
	let stream: Writable;
	if (target === '-') {
		stream = stdout;
	} else {
		const file: WriteStream = createWriteStream(target, {flags: 'w'});
		try {
			await once(file, 'open');
		} catch (error) {
			throw new RunError(`cannot write the event log to ${target}: ${(error as Error).message}; pass --events a writable file path`);
		}

		stream = file;
	}

	return {
		write(event) {
			stream.write(JSON.stringify({...event, t: Math.round(elapsed() * 10) / 10}) + '\n');
		},
		async close() {
			if (stream === stdout) {
				return;
			}

			stream.end();
			await once(stream, 'finish').catch(() => undefined);
		},
	};
}
