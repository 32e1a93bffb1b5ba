import {columns, type Column} from './columns.js';
import {columnHelp} from './help-text.js';

/**
 * The table's columns with their titles spelled out where the terminal has room: `hb` becomes
 * `heartbeats`, `reconn` `reconnects`. Columns come first: while a narrow terminal still drops
 * columns, no room goes to longer names. Then the columns that survive a narrow terminal
 * longest get their full names first (fitColumns' `keep` order), each as wide as its name plus
 * one for the sort arrow, as long as the table stays within `width`.
 */
export function spellOut(shown: readonly Column[], width: number, streams = false): Column[] {
	// Every column this run has (the stream column only for request streams) must fit first.
	if (shown.length < columns.filter(candidate => streams || candidate.id !== 'stream').length) {
		return [...shown];
	}

	let spare = width - shown.reduce((sum, candidate) => sum + candidate.width, shown.length - 1);
	const wide = new Map(shown.map(candidate => [candidate.id, candidate]));
	for (const candidate of [...shown].sort((a, b) => a.keep - b.keep)) {
		const long = columnHelp[candidate.id].long;
		const needed = Math.max(candidate.width, long.length + 1);
		if (long === candidate.title || needed - candidate.width > spare) {
			continue;
		}

		spare -= needed - candidate.width;
		wide.set(candidate.id, {...candidate, title: long, width: needed});
	}

	return shown.map(candidate => wide.get(candidate.id)!);
}
