/**
 * Terminal cells to SVG, for the README's pictures: the text `tmux capture-pane -e -p` prints
 * (one line per row, SGR escape sequences for colour and weight) becomes a grid of cells, and
 * the grid an SVG of monospace text on coloured backgrounds. Only SGR is interpreted (CSI ... m:
 * bold, dim, italic, underline, inverse, the 16 colours, 256 colours and 24-bit colour); any
 * other escape sequence is dropped. Every code point takes one column: the dashboard draws no
 * wide characters outside server-sent event ids.
 */

export type Style = {
	fg: string | undefined;
	bg: string | undefined;
	bold: boolean;
	dim: boolean;
	italic: boolean;
	underline: boolean;
	inverse: boolean;
};

export type Cell = {char: string; style: Style};

export type Theme = {foreground: string; background: string; palette: readonly string[]};

/** A dark theme close to common terminal defaults; palette = the 16 ANSI colours, normal then bright. */
export const defaultTheme: Theme = {
	foreground: '#d4d4d4',
	background: '#1e1e1e',
	palette: [
		'#000000', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#d4d4d4',
		'#767676', '#ff7b86', '#b5e890', '#ffd68a', '#80c4ff', '#e39cf7', '#7fd6e0', '#ffffff',
	],
};

const plain: Style = {fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false};

/** The xterm 256-colour table above the first 16: a 6x6x6 cube, then 24 greys. */
export function xterm256(index: number, theme: Theme = defaultTheme): string {
	if (index < 16) {
		return theme.palette[index]!;
	}

	if (index < 232) {
		const cube = index - 16;
		const level = (value: number) => (value === 0 ? 0 : 55 + (value * 40));
		return hex(level(Math.floor(cube / 36)), level(Math.floor(cube / 6) % 6), level(cube % 6));
	}

	const grey = 8 + ((index - 232) * 10);
	return hex(grey, grey, grey);
}

function hex(red: number, green: number, blue: number): string {
	return `#${[red, green, blue].map(value => Math.max(0, Math.min(255, value)).toString(16).padStart(2, '0')).join('')}`;
}

/** Applies one SGR parameter list (`1;32`, `38;5;208`, empty = reset) to a style. */
export function applySgr(style: Style, parameters: string, theme: Theme = defaultTheme): Style {
	const codes = parameters === '' ? [0] : parameters.split(/[;:]/).map(code => (code === '' ? 0 : Number(code)));
	const next = {...style};
	for (let index = 0; index < codes.length; index++) {
		const code = codes[index]!;
		if (code === 0) {
			Object.assign(next, plain);
		} else if (code === 1) {
			next.bold = true;
		} else if (code === 2) {
			next.dim = true;
		} else if (code === 3) {
			next.italic = true;
		} else if (code === 4) {
			next.underline = true;
		} else if (code === 7) {
			next.inverse = true;
		} else if (code === 22) {
			next.bold = false;
			next.dim = false;
		} else if (code === 23) {
			next.italic = false;
		} else if (code === 24) {
			next.underline = false;
		} else if (code === 27) {
			next.inverse = false;
		} else if (code >= 30 && code <= 37) {
			next.fg = theme.palette[code - 30];
		} else if (code === 39) {
			next.fg = undefined;
		} else if (code >= 40 && code <= 47) {
			next.bg = theme.palette[code - 40];
		} else if (code === 49) {
			next.bg = undefined;
		} else if (code >= 90 && code <= 97) {
			next.fg = theme.palette[code - 90 + 8];
		} else if (code >= 100 && code <= 107) {
			next.bg = theme.palette[code - 100 + 8];
		} else if (code === 38 || code === 48) {
			// 38;5;N or 38;2;R;G;B (and 48 for the background)
			const mode = codes[index + 1];
			let color: string | undefined;
			if (mode === 5) {
				color = xterm256(codes[index + 2] ?? 0, theme);
				index += 2;
			} else if (mode === 2) {
				color = hex(codes[index + 2] ?? 0, codes[index + 3] ?? 0, codes[index + 4] ?? 0);
				index += 4;
			}

			if (code === 38) {
				next.fg = color;
			} else {
				next.bg = color;
			}
		}
	}

	return next;
}

// CSI (parameters, intermediates, final byte), OSC (to BEL or ST), or a two-byte escape.
// eslint-disable-next-line no-control-regex
const escape = /\u001B\[([0-?]*)([ -/]*)([@-~])|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/y;

/**
 * The rows of a capture as cells, `columns` wide and `rows` tall (shorter lines and missing
 * rows are blank). The style carries from one line to the next, as tmux writes it.
 */
export function parseAnsi(text: string, columns: number, rows: number, theme: Theme = defaultTheme): Cell[][] {
	const grid: Cell[][] = [];
	let style: Style = plain;
	const lines = text.replace(/\n$/, '').split('\n');
	for (let row = 0; row < rows; row++) {
		const line = lines[row] ?? '';
		const cells: Cell[] = [];
		let index = 0;
		while (index < line.length) {
			if (line[index] === '\u001B') {
				escape.lastIndex = index;
				const match = escape.exec(line);
				if (match) {
					if (match[3] === 'm' && match[2] === '') {
						style = applySgr(style, match[1]!, theme);
					}

					index = escape.lastIndex;
					continue;
				}

				index++;
				continue;
			}

			const char = String.fromCodePoint(line.codePointAt(index)!);
			index += char.length;
			if (char === '\r' || char < ' ') {
				continue;
			}

			if (cells.length < columns) {
				cells.push({char, style});
			}
		}

		while (cells.length < columns) {
			cells.push({char: ' ', style});
		}

		grid.push(cells);
	}

	return grid;
}

export type SvgOptions = {
	theme?: Theme;
	fontSize?: number;
	/** a title drawn in a window bar above the cells (the command that made the capture) */
	title?: string;
};

const fontFamily = '\'DejaVu Sans Mono\', \'SFMono-Regular\', Menlo, Consolas, \'Liberation Mono\', monospace';

function xml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** The colours a cell is drawn with, inverse and dim resolved. */
function colors(style: Style, theme: Theme): {fg: string; bg: string | undefined; opacity: number} {
	let fg = style.fg ?? theme.foreground;
	let bg = style.bg;
	if (style.inverse) {
		[fg, bg] = [bg ?? theme.background, fg];
	}

	return {fg, bg, opacity: style.dim ? 0.6 : 1};
}

const sameText = (a: Style, b: Style, theme: Theme) => {
	const x = colors(a, theme);
	const y = colors(b, theme);
	return x.fg === y.fg && x.opacity === y.opacity && a.bold === b.bold && a.italic === b.italic && a.underline === b.underline;
};

/**
 * The cells as an SVG: a background, one rect per run of a background colour, and one <text>
 * per run of a text style, placed at its column and stretched to exactly its cells
 * (textLength), so a fallback font's glyphs cannot drift the columns apart.
 */
export function cellsToSvg(grid: readonly Cell[][], {theme = defaultTheme, fontSize = 14, title}: SvgOptions = {}): string {
	const cellWidth = Math.round(fontSize * 0.6 * 100) / 100;
	const lineHeight = Math.round(fontSize * 1.3);
	const padding = 12;
	const bar = title === undefined ? 0 : 28;
	const columns = grid[0]?.length ?? 0;
	const width = Math.ceil((columns * cellWidth) + (2 * padding));
	const height = Math.ceil((grid.length * lineHeight) + (2 * padding) + bar);
	const x = (column: number) => Math.round((padding + (column * cellWidth)) * 100) / 100;
	const top = (row: number) => padding + bar + (row * lineHeight);
	const out: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${xml(fontFamily)}" font-size="${fontSize}">`,
		`<rect width="${width}" height="${height}" rx="8" fill="${theme.background}"/>`,
	];
	if (title !== undefined) {
		out.push(
			`<rect width="${width}" height="${bar}" rx="8" fill="#2d2d2d"/><rect y="${bar - 8}" width="${width}" height="8" fill="#2d2d2d"/>`,
			...['#ff5f56', '#ffbd2e', '#27c93f'].map((fill, index) => `<circle cx="${padding + 6 + (index * 20)}" cy="${bar / 2}" r="6" fill="${fill}"/>`),
			`<text x="${width / 2}" y="${(bar / 2) + (fontSize * 0.35)}" fill="#9a9a9a" text-anchor="middle" font-size="${fontSize - 1}">${xml(title)}</text>`,
		);
	}

	for (const [row, cells] of grid.entries()) {
		let start = 0;
		while (start < cells.length) {
			const {bg} = colors(cells[start]!.style, theme);
			let end = start + 1;
			while (end < cells.length && colors(cells[end]!.style, theme).bg === bg) {
				end++;
			}

			if (bg !== undefined) {
				out.push(`<rect x="${x(start)}" y="${top(row)}" width="${x(end) - x(start)}" height="${lineHeight}" fill="${bg}"/>`);
			}

			start = end;
		}
	}

	for (const [row, cells] of grid.entries()) {
		const baseline = top(row) + Math.round(lineHeight * 0.78);
		let start = 0;
		while (start < cells.length) {
			const {style} = cells[start]!;
			let end = start + 1;
			while (end < cells.length && sameText(cells[end]!.style, style, theme)) {
				end++;
			}

			const text = cells.slice(start, end).map(cell => cell.char).join('');
			const trimmed = style.underline ? text : text.trimEnd();
			const lead = trimmed.length - trimmed.trimStart().length;
			const shown = style.underline ? text : trimmed.trimStart();
			if (shown !== '') {
				const {fg, opacity} = colors(style, theme);
				const from = start + (style.underline ? 0 : lead);
				const attributes = [
					`x="${x(from)}"`,
					`y="${baseline}"`,
					`fill="${fg}"`,
					`textLength="${Math.round((x(from + [...shown].length) - x(from)) * 100) / 100}"`,
					'lengthAdjust="spacingAndGlyphs"',
					style.bold ? 'font-weight="bold"' : '',
					style.italic ? 'font-style="italic"' : '',
					style.underline ? 'text-decoration="underline"' : '',
					opacity === 1 ? '' : `fill-opacity="${opacity}"`,
				].filter(Boolean).join(' ');
				out.push(`<text ${attributes} xml:space="preserve">${xml(shown)}</text>`);
			}

			start = end;
		}
	}

	out.push('</svg>');
	return out.join('\n') + '\n';
}

export function ansiToSvg(text: string, columns: number, rows: number, options: SvgOptions = {}): string {
	return cellsToSvg(parseAnsi(text, columns, rows, options.theme), options);
}
