import process from 'node:process';
import type {Writable} from 'node:stream';

/**
 * `sse-tui … | head -1`: once the reader is gone, every write to the pipe fails with EPIPE,
 * which Node raises as an unhandled 'error' event with a stack. Nothing can be printed any more
 * (the summary is lost with the reader), so end the process at once, quietly, as a program
 * killed by SIGPIPE would, but with `exitCode` (0 unless something failed already) instead of 141.
 * Other write errors (a full disk under `> file`) keep their stack: they are not the reader leaving.
 */
export function exitQuietlyWhenOutputCloses(streams: readonly Writable[] = [process.stdout, process.stderr]): void {
	for (const stream of streams) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
				process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
			}

			throw error;
		});
	}
}
