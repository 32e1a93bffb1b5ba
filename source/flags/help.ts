import {flagLabel, type Command, type Flag} from './types.js';

/** README markdown -> terminal text: `code` loses its backticks, [text](#anchor) keeps its text. */
export const plain = (text: string): string => text.replaceAll('`', '').replaceAll(/\[([^\]]+)\]\([^)]+\)/g, '$1');

/** `--clients N`, `--no-tui`, `--help, -h`. */
function usageOf(flag: Flag): string {
	return flag.arg === undefined || flag.label !== undefined ? flagLabel(flag) : `${flagLabel(flag)} ${flag.arg}`;
}

/** Where the defaults start, counted from the help text: long help lines push theirs to the right. */
const defaultColumn = 44;

function flagLines(flag: Flag, width: number): string[] {
	const indent = ' '.repeat(2 + width);
	const text = flag.help + (flag.env === undefined ? '' : ` (env ${flag.env})`);
	const more = [...(flag.more ?? [])];
	const fallback = flag.default === undefined ? undefined : `default ${plain(flag.default)}`;
	let first = text;
	if (fallback !== undefined && text.length + 2 + fallback.length <= defaultColumn + 44) {
		// Beside the help, in a column when it fits there; otherwise on a line of its own.
		first = `${text.padEnd(defaultColumn - 2)}  ${fallback}`;
	} else if (fallback !== undefined) {
		more.push(fallback);
	}

	return [`  ${usageOf(flag).padEnd(width)}${first}`, ...more.map(line => `${indent}${line}`)];
}

/**
 * A command's --help, from its definition: usage, intro, one block per section (flags, then the
 * section's notes), examples grouped by task, footer. Lines are indented by two, as meow printed them.
 */
export function renderHelp(command: Command): string {
	const flags = command.sections.flatMap(each => each.flags);
	const width = Math.max(...flags.map(flag => usageOf(flag).length)) + 3;
	const lines: string[] = ['Usage', ...command.usage.map(line => `  ${line}`)];
	if (command.intro) {
		lines.push('', ...command.intro);
	}

	for (const each of command.sections) {
		lines.push('', each.title, ...each.flags.flatMap(flag => flagLines(flag, width)));
		if (each.notes) {
			lines.push(...each.notes.map(note => note === '' ? '' : `  ${note}`));
		}
	}

	lines.push('', 'Examples');
	for (const example of command.examples) {
		lines.push(`  ${example.task}`, ...example.commands.map(line => line.startsWith('    ') ? `      ${line}` : `    $ ${line}`));
	}

	if (command.footer) {
		lines.push('', ...command.footer);
	}

	return lines.map(line => line === '' ? '' : `  ${line}`).join('\n') + '\n';
}
