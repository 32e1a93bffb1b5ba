import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {ansiToSvg, applySgr, defaultTheme, parseAnsi, xterm256, type Style} from '../../scripts/lib/ansi-svg.js';

const esc = '\u001B';
const plain: Style = {fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false};
const red = defaultTheme.palette[1]!;
const green = defaultTheme.palette[2]!;

describe('ANSI SGR -> cells', () => {
	test('colours, weight and resets; the style carries to the next line, as tmux writes it', () => {
		const grid = parseAnsi(`${esc}[1mab${esc}[0m${esc}[31mc\nd${esc}[39me\n`, 4, 3);
		assert.deepEqual(grid.map(row => row.map(cell => cell.char).join('')), ['abc ', 'de  ', '    ']);
		assert.deepEqual(grid[0]![0]!.style, {...plain, bold: true});
		assert.deepEqual(grid[0]![2]!.style, {...plain, fg: red});
		assert.equal(grid[1]![0]!.style.fg, red, 'red goes on past the newline');
		assert.equal(grid[1]![1]!.style.fg, undefined);
	});

	test('256 and 24-bit colours, bright colours, backgrounds, inverse, dim', () => {
		assert.equal(applySgr(plain, '38;5;196').fg, '#ff0000');
		assert.equal(applySgr(plain, '48;5;244').bg, '#808080');
		assert.equal(applySgr(plain, '38;2;1;2;255').fg, '#0102ff');
		assert.equal(applySgr(plain, '92').fg, defaultTheme.palette[10]);
		assert.equal(applySgr(plain, '42').bg, green);
		assert.deepEqual(applySgr(applySgr(plain, '1;2;4;7'), '22;24;27'), plain);
		assert.deepEqual(applySgr({...plain, bold: true, fg: red}, ''), plain, 'an empty SGR resets');
		assert.equal(xterm256(16), '#000000');
		assert.equal(xterm256(231), '#ffffff');
		assert.equal(xterm256(232), '#080808');
	});

	test('other escape sequences are dropped; long lines are cut at the width', () => {
		const grid = parseAnsi(`${esc}[?25l${esc}[2K${esc}]0;title\u0007x${esc}[1;1Hyz0123456789`, 5, 1);
		assert.equal(grid[0]!.map(cell => cell.char).join(''), 'xyz01');
		assert.deepEqual(grid[0]![0]!.style, plain);
	});
});

describe('cells -> SVG', () => {
	test('a fixed capture becomes exactly this SVG: a rect per background run, a text per style run, placed at its columns', () => {
		const svg = ansiToSvg(`${esc}[1mid${esc}[0m ${esc}[32mok${esc}[39m\n${esc}[41m <&> ${esc}[0m`, 6, 2, {fontSize: 10});
		assert.equal(svg, [
			'<svg xmlns="http://www.w3.org/2000/svg" width="60" height="50" viewBox="0 0 60 50" font-family="\'DejaVu Sans Mono\', \'SFMono-Regular\', Menlo, Consolas, \'Liberation Mono\', monospace" font-size="10">',
			'<rect width="60" height="50" rx="8" fill="#1e1e1e"/>',
			`<rect x="12" y="25" width="30" height="13" fill="${red}"/>`,
			'<text x="12" y="22" fill="#d4d4d4" textLength="12" lengthAdjust="spacingAndGlyphs" font-weight="bold" xml:space="preserve">id</text>',
			`<text x="30" y="22" fill="${green}" textLength="12" lengthAdjust="spacingAndGlyphs" xml:space="preserve">ok</text>`,
			'<text x="18" y="35" fill="#d4d4d4" textLength="18" lengthAdjust="spacingAndGlyphs" xml:space="preserve">&lt;&amp;&gt;</text>',
			'</svg>',
			'',
		].join('\n'));
	});

	test('a title draws a window bar with the command; underlined runs keep their spaces; dim text is faded', () => {
		const svg = ansiToSvg(`${esc}[4mid  x${esc}[0m\n${esc}[2mdim`, 6, 2, {title: 'sse-tui --clients 40 <demo>'});
		assert.match(svg, /<text [^>]*text-anchor="middle"[^>]*>sse-tui --clients 40 &lt;demo&gt;<\/text>/);
		assert.match(svg, /text-decoration="underline" xml:space="preserve">id {2}x<\/text>/);
		assert.match(svg, /fill-opacity="0.6" xml:space="preserve">dim<\/text>/);
	});
});
