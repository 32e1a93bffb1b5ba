import {Box, Text} from 'ink';
import {agentColumns} from '../../agents/table.js';
import {columns} from './columns.js';
import {columnHelp, keyHelp, totalsHelp, type HelpEntry} from './help-text.js';

export type HelpLine = {text: string; heading: boolean};

/** The border (2 lines) and the footer line around the help's scrolling lines. */
const chrome = 3;

/** How many help lines show in a panel `height` lines tall. */
export function helpPage(height: number): number {
	return Math.max(1, height - chrome);
}

/** `text` cut into lines of at most `width` characters at spaces (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const next = line === '' ? word : `${line} ${word}`;
		if (next.length <= width) {
			line = next;
			continue;
		}

		if (line !== '') {
			out.push(line);
		}

		line = word;
		while (line.length > width) {
			out.push(line.slice(0, width));
			line = line.slice(width);
		}
	}

	out.push(line);
	return out;
}

/** A column's entry names both titles, so a narrow terminal's `hb` can be looked up: `heartbeats (hb)`. */
function columnEntries(): HelpEntry[] {
	return columns.map(candidate => {
		const {long, text} = columnHelp[candidate.id];
		return {name: long === candidate.title ? long : `${long} (${candidate.title})`, text};
	});
}

/** Every line of the help for an inner width of `width` characters: headings, then name + wrapped text; the agents' columns with --agents. */
export function helpLines(width: number, agents = false): HelpLine[] {
	const sections: Array<[string, readonly HelpEntry[]]> = [['keys', keyHelp], ['columns', columnEntries()], ['totals', totalsHelp]];
	if (agents) {
		sections.push(['agents', agentColumns.map(({title, text}) => ({name: title, text}))]);
	}

	const nameWidth = Math.max(...sections.flatMap(([, entries]) => entries.map(entry => entry.name.length))) + 2;
	// Too narrow for names beside their text: the text goes under its name.
	const beside = width - nameWidth >= 24;
	const lines: HelpLine[] = [];
	for (const [title, entries] of sections) {
		if (lines.length > 0) {
			lines.push({text: '', heading: false});
		}

		lines.push({text: title, heading: true});
		for (const {name, text} of entries) {
			if (beside) {
				for (const [index, part] of wrap(text, width - nameWidth).entries()) {
					lines.push({text: `${(index === 0 ? name : '').padEnd(nameWidth)}${part}`, heading: false});
				}
			} else {
				lines.push({text: name, heading: false});
				for (const part of wrap(text, Math.max(1, width - 2))) {
					lines.push({text: `  ${part}`, heading: false});
				}
			}
		}
	}

	return lines;
}

/** `?`: every key, column and totals word explained, in a box `height` lines tall; ↑/↓ scroll it. */
export function HelpPanel({width, height, offset, color, agents = false}: {width: number; height: number; offset: number; color: boolean; agents?: boolean}) {
	// The border and one column of padding on each side.
	const lines = helpLines(Math.max(1, width - 4), agents);
	const page = helpPage(height);
	const first = Math.max(0, Math.min(offset, lines.length - page));
	const shown = lines.slice(first, first + page);
	const footer = lines.length > page
		? `lines ${first + 1}-${first + shown.length} of ${lines.length} · ↑/↓ PgUp/PgDn scroll · ? or Esc closes`
		: '? or Esc closes';
	return (
		<Box flexDirection="column" borderStyle="single" paddingX={1} width={width} height={Math.max(chrome + 1, height)} overflow="hidden">
			{shown.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={first + index} bold={line.heading} wrap="truncate">{line.text === '' ? ' ' : line.text}</Text>
			))}
			<Text dimColor={color} wrap="truncate">{footer}</Text>
		</Box>
	);
}
