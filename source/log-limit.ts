/**
 * Keeps a flood of one log line from becoming megabytes of output (issue 17, defect 13): 2,000
 * upgrades with a hostile Origin must not write 2,000 warnings. Used by the server's logger
 * (server/logger.ts) and the client's text output (source/reporters/text.ts).
 */

/** Lines of one kind printed per window before the rest are only counted. */
export const repeatBurst = 10;
export const repeatWindowMs = 10_000;
/** The most of a request (an Origin, a path, an error text) one log field quotes. */
export const maxQuoted = 200;

export type RepeatLimiter = {
	/** True when a line of this kind may be printed now; false when it is counted instead. */
	admit(key: string): boolean;
	/** Reports what is still counted, and stops the timer. */
	flush(): void;
};

type Window = {startedAt: number; count: number; suppressed: number};

/**
 * Per kind of line (the caller's key: the message without what varies), `burst` lines per
 * `windowMs`; past that, lines are counted and `onSuppressed` says how many at the end of the
 * window ("N more like this").
 */
export function createRepeatLimiter({burst = repeatBurst, windowMs = repeatWindowMs, onSuppressed}: {
	burst?: number;
	windowMs?: number;
	onSuppressed(key: string, count: number, windowMs: number): void;
}): RepeatLimiter {
	const windows = new Map<string, Window>();
	let timer: NodeJS.Timeout | undefined;

	const report = (now: number, all: boolean): void => {
		for (const [key, window] of windows) {
			if (all || now - window.startedAt >= windowMs) {
				windows.delete(key);
				if (window.suppressed > 0) {
					onSuppressed(key, window.suppressed, now - window.startedAt);
				}
			}
		}
	};

	const schedule = (): void => {
		timer ??= setTimeout(() => {
			timer = undefined;
			report(Date.now(), false);
			if ([...windows.values()].some(window => window.suppressed > 0)) {
				schedule();
			}
		}, windowMs).unref();
	};

	return {
		admit(key) {
			const now = Date.now();
			let window = windows.get(key);
			if (window && now - window.startedAt >= windowMs) {
				windows.delete(key);
				if (window.suppressed > 0) {
					onSuppressed(key, window.suppressed, now - window.startedAt);
				}

				window = undefined;
			}

			if (!window) {
				if (windows.size >= 1000) {
					report(now, true); // Keys are kinds of lines, a few dozen; never let them grow unbounded.
				}

				window = {startedAt: now, count: 0, suppressed: 0};
				windows.set(key, window);
			}

			window.count++;
			if (window.count <= burst) {
				return true;
			}

			window.suppressed++;
			schedule();
			return false;
		},
		flush() {
			clearTimeout(timer);
			timer = undefined;
			report(Date.now(), true);
		},
	};
}

/** At most `max` characters of `text`, saying how many more there were. */
export function clip(text: string, max = maxQuoted): string {
	return text.length <= max ? text : `${text.slice(0, max)}…(+${text.length - max} chars)`;
}
