import {flagLabel, type Command, type Flag, type Section} from './types.js';

/** The README's type column for the common placeholders; anything else is shown as written. */
const kinds: Record<string, string> = {D: 'duration', N: 'whole number', SIZE: 'size', B: 'size', BYTES: 'size', URL: 'URL', FILE: 'path', PATH: 'JSON path', LIST: 'list'};

function kindOf(flag: Flag): string {
	const kind = flag.kind ?? (flag.type === 'boolean' ? 'boolean' : flag.type === 'json' ? 'JSON object' : kinds[flag.arg ?? ''] ?? `\`${flag.arg}\``);
	return flag.multiple && !kind.includes('repeatable') ? `${kind}, repeatable` : kind;
}

function defaultOf(flag: Flag): string {
	const text = flag.default ?? (flag.type === 'boolean' ? 'off' : 'none');
	return flag.env === undefined ? text : `${text} (env ${flag.env.split(', then ').map(name => `\`${name}\``).join(', then ')})`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** One section as a markdown table; `configKeys` adds the config file's key of each flag. */
export function sectionTable(each: Section, {configKeys = false} = {}): string {
	const head = configKeys ? '| flag | config key | type | default | meaning |\n|---|---|---|---|---|' : '| flag | type | default | meaning |\n|---|---|---|---|';
	const rows = each.flags.map(flag => {
		const label = flag.shortFlag ? `\`${flagLabel(flag)}\`, \`-${flag.shortFlag}\`` : `\`${flagLabel(flag)}\``;
		const key = flag.cliOnly ? '—' : `\`${flag.name}\``;
		const cells = [label, ...(configKeys ? [key] : []), kindOf(flag), defaultOf(flag), flag.details ?? flag.help];
		return `| ${cells.map(text => cell(text)).join(' | ')} |`;
	});
	return [head, ...rows].join('\n');
}

/** A marker's block: every section of the command (`flags:run`), or one (`flags:serve:redis`). */
function block(command: Command, sectionId: string | undefined): string {
	const configKeys = command.id === 'run';
	if (sectionId !== undefined) {
		const found = command.sections.find(each => each.id === sectionId);
		if (found === undefined) {
			throw new Error(`README marker flags:${command.id}:${sectionId}: ${command.name} has no section "${sectionId}" (it has ${command.sections.map(each => each.id).join(', ')})`);
		}

		return sectionTable(found, {configKeys});
	}

	return command.sections.map(each => `**${each.title}**\n\n${sectionTable(each, {configKeys})}`).join('\n\n');
}

const marker = /<!-- flags:([a-z]+)(?::([a-z-]+))? -->\n[^]*?<!-- \/flags:\1(?::\2)? -->/g;

/**
 * The README with every generated block (between `<!-- flags:ID[:SECTION] -->` and
 * `<!-- /flags:ID[:SECTION] -->`) rewritten from the definitions; the sections each command's
 * markers cover, to check that none is left out.
 */
export function updateReadme(readme: string, commands: readonly Command[]): {text: string; covered: Map<string, Set<string>>} {
	const covered = new Map<string, Set<string>>(commands.map(command => [command.id, new Set<string>()]));
	const text = readme.replaceAll(marker, (_match, id: string, sectionId: string | undefined) => {
		const command = commands.find(each => each.id === id);
		if (command === undefined) {
			throw new Error(`README marker flags:${id}: no command "${id}" (known: ${commands.map(each => each.id).join(', ')})`);
		}

		for (const each of command.sections) {
			if (sectionId === undefined || each.id === sectionId) {
				covered.get(id)!.add(each.id);
			}
		}

		const open = `<!-- flags:${id}${sectionId ? `:${sectionId}` : ''} -->`;
		return `${open}\n<!-- generated from source/flags/ by \`npm run docs:flags\`: edit the definitions, not this table -->\n${block(command, sectionId)}\n${open.replace('<!-- ', '<!-- /')}`;
	});
	return {text, covered};
}
