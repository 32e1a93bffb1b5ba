import type {Tally} from '../source/publish/tally.js';
import {formatDuration} from '../source/units.js';

/** Up to this many messages each publish gets its own line; above it, only the summary. */
export const perLineLimit = 10;

export function summary(result: Tally, where: string, elapsedMs: number, receivers = 'subscribers'): string {
	const rate = elapsedMs > 0 ? ` (${Math.round((result.sent / elapsedMs) * 1000)}/s)` : '';
	const noun = result.sent === 1 ? 'message' : 'messages';
	if (result.sent === 0) {
		return `published nothing on ${where}`;
	}

	const spread = result.min === result.max ? `${result.min} each` : `min ${result.min}, max ${result.max}`;
	const warning = result.max === 0 ? ' -- nobody is subscribed: is "sse-tui serve --redis" running on this channel?' : '';
	return `published ${result.sent} ${noun} on ${where} in ${formatDuration(elapsedMs)}${rate}; ${receivers}: ${result.total} in total, ${spread}${warning}`;
}
