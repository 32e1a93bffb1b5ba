/** Receivers per publish, summarised: exact totals however the messages were batched. */
export type Tally = {sent: number; total: number; min: number; max: number};

export function tally(): Tally {
	return {sent: 0, total: 0, min: Number.POSITIVE_INFINITY, max: 0};
}

/** Adds `sent` messages that reached `total` receivers together, `min` to `max` each. */
export function addSpread(result: Tally, sent: number, total: number, min: number, max: number): void {
	result.sent += sent;
	result.total += total;
	result.min = Math.min(result.min, min);
	result.max = Math.max(result.max, max);
}

export function addReceivers(result: Tally, receivers: number): void {
	addSpread(result, 1, receivers, receivers, receivers);
}

/** The tally as a finished result: min is 0, not Infinity, when nothing was sent. */
export function settle(result: Tally): Tally {
	return {...result, min: result.sent === 0 ? 0 : result.min};
}
