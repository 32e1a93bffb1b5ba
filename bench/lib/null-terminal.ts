import {EventEmitter} from 'node:events';

/** A 120x40 terminal that swallows what Ink writes, counting calls and characters. */
export class NullTty extends EventEmitter {
	columns = 120;
	rows = 40;
	isTTY = true;
	writes = 0;
	bytes = 0;
	write(chunk: string): boolean {
		this.writes++;
		this.bytes += chunk.length;
		return true;
	}
}

/** A keyboard that never types: enough of a TTY stdin for Ink's raw mode. */
export class NullStdin extends EventEmitter {
	isTTY = true;
	read(): null {
		return null;
	}

	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}
