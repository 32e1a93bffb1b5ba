import {escapeHtml} from './escape.js';

/**
 * SVG charts drawn here, as strings: the report needs no script to show them, prints as it
 * looks, and loads nothing. Pure functions; the page decides what to draw and when a chart is
 * empty.
 */

const width = 560;
const height = 220;
const margin = {left: 58, right: 16, top: 14, bottom: 30};
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

/** Up to this many points a line also gets a dot per point (a short run is otherwise a few bare segments). */
const dotsUpTo = 40;

/** Up to this many points each x gets a hover column with every series' value (no script: an SVG <title>). */
const hoverUpTo = 300;

export type LineSeries = {name: string; color: string; values: ReadonlyArray<number | null>; area?: boolean};

export type LineChartSpec = {
	id: string;
	/** what the chart shows, for screen readers */
	label: string;
	/** x of every point, in seconds */
	x: readonly number[];
	series: readonly LineSeries[];
	formatY: (value: number) => string;
	formatX?: (value: number) => string;
	/** counts of things: no ticks between whole numbers */
	integerY?: boolean;
};

export type Bar = {
	value: number;
	/** under the bar, when there is room */
	label: string;
	/** the hover text */
	title: string;
	color?: string;
	/** extra data-* attributes for the bar */
	data?: Readonly<Record<string, string | number>>;
};

export type BarChartSpec = {
	id: string;
	label: string;
	bars: readonly Bar[];
	color: string;
	formatY: (value: number) => string;
	integerY?: boolean;
};

/** 1, 2 or 5 times a power of ten: the step of a readable axis. */
export function niceStep(rough: number): number {
	if (!(rough > 0) || !Number.isFinite(rough)) {
		return 1;
	}

	const power = 10 ** Math.floor(Math.log10(rough));
	const fraction = rough / power;
	const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
	return nice * power;
}

/** Ticks from 0 (or below, for negative data) to at least `max`, at most about `count` of them. */
export function niceTicks(min: number, max: number, {count = 5, integer = false} = {}): number[] {
	const low = Math.min(0, min);
	let high = Math.max(max, low);
	if (high === low) {
		high = low + 1;
	}

	let step = niceStep((high - low) / count);
	if (integer) {
		step = Math.max(1, Math.round(step));
	}

	const ticks: number[] = [];
	const first = Math.floor(low / step) * step;
	for (let value = first; value < high + step; value += step) {
		ticks.push(Number(value.toPrecision(12)));
		if (value >= high) {
			break;
		}
	}

	return ticks;
}

const timeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400];

/** Time ticks in seconds at a step a reader counts in: 5 s, 30 s, 5 min, 1 h. */
export function timeTicks(from: number, to: number, count = 6): number[] {
	const span = Math.max(1, to - from);
	const step = timeSteps.find(candidate => span / candidate <= count) ?? niceStep(span / count);
	const ticks: number[] = [];
	for (let value = Math.ceil(from / step) * step; value <= to; value += step) {
		ticks.push(value);
	}

	return ticks;
}

const round = (value: number) => Math.round(value * 10) / 10;

function yAxis(ticks: readonly number[], y: (value: number) => number, format: (value: number) => string): string {
	return ticks.map(tick => {
		const at = round(y(tick));
		return `<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}"/>`
			+ `<text class="tick" x="${margin.left - 8}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeHtml(format(tick))}</text>`;
	}).join('');
}

function svgOpen(id: string, label: string, attributes: string): string {
	return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}" data-chart="${escapeHtml(id)}" ${attributes}>`;
}

/** Lines over time; a null value is a gap in its line. */
export function lineChart(spec: LineChartSpec): string {
	const {x, series} = spec;
	const formatX = spec.formatX ?? ((value: number) => `${value}s`);
	// Loops, not Math.max(...values): a long run has more values than a call takes arguments.
	let low = 0;
	let high = 0;
	for (const line of series) {
		for (const value of line.values) {
			if (value !== null) {
				low = Math.min(low, value);
				high = Math.max(high, value);
			}
		}
	}

	const ticks = niceTicks(low, high, {integer: spec.integerY});
	const yLow = ticks[0]!;
	const yHigh = ticks.at(-1)!;
	const xLow = x[0] ?? 0;
	const xHigh = x.at(-1) ?? 0;
	const xAt = (value: number) => margin.left + (xHigh === xLow ? plotWidth / 2 : ((value - xLow) / (xHigh - xLow)) * plotWidth);
	const yAt = (value: number) => margin.top + plotHeight - ((value - yLow) / (yHigh - yLow)) * plotHeight;

	const xLabels = (xHigh === xLow ? [xLow] : timeTicks(xLow, xHigh)).map(tick =>
		`<text class="tick" x="${round(xAt(tick))}" y="${height - margin.bottom + 18}" text-anchor="middle">${escapeHtml(formatX(tick))}</text>`).join('');

	const lines = series.map(line => {
		const segments: string[][] = [];
		let current: string[] | undefined;
		const dots: string[] = [];
		let points = 0;
		for (const [index, value] of line.values.entries()) {
			const at = x[index];
			if (value === null || at === undefined) {
				current = undefined;
				continue;
			}

			points++;
			const point = `${round(xAt(at))},${round(yAt(value))}`;
			if (current === undefined) {
				current = [];
				segments.push(current);
			}

			current.push(point);
			if (x.length <= dotsUpTo) {
				dots.push(`<circle cx="${round(xAt(at))}" cy="${round(yAt(value))}" r="2.5" fill="${line.color}"/>`);
			}
		}

		const d = segments.map(segment => `M${segment.join('L')}`).join('');
		const base = round(yAt(Math.max(yLow, 0)));
		const area = line.area === true
			? segments.map(segment => `<path class="area" d="M${segment[0]!.split(',')[0]},${base}L${segment.join('L')}L${segment.at(-1)!.split(',')[0]},${base}Z" fill="${line.color}" fill-opacity="0.08" stroke="none"/>`).join('')
			: '';
		return `${area}<path class="line" data-series="${escapeHtml(line.name)}" data-points="${points}" d="${d}" fill="none" stroke="${line.color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>${dots.join('')}`;
	}).join('');

	return `${svgOpen(spec.id, spec.label, `data-points="${x.length}"`)}${yAxis(ticks, yAt, spec.formatY)}`
		+ `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}"/>`
		+ `${xLabels}${hoverColumns(spec, xAt, formatX)}${lines}</svg>`;
}

function hoverColumns({x, series, formatY}: LineChartSpec, xAt: (value: number) => number, formatX: (value: number) => string): string {
	if (x.length > hoverUpTo || x.length < 2) {
		return '';
	}

	const half = (xAt(x[1]!) - xAt(x[0]!)) / 2;
	return `<g class="hover">${x.map((at, index) => {
		const text = [formatX(at), ...series.map(line => `${line.name}: ${line.values[index] === null || line.values[index] === undefined ? '–' : formatY(line.values[index]!)}`)].join('\n');
		const left = Math.max(margin.left, xAt(at) - half);
		const right = Math.min(width - margin.right, xAt(at) + half);
		return `<rect x="${round(left)}" y="${margin.top}" width="${round(right - left)}" height="${plotHeight}"><title>${escapeHtml(text)}</title></rect>`;
	}).join('')}</g>`;
}

/** Bars side by side, one per entry, with about eight labels underneath. */
export function barChart(spec: BarChartSpec): string {
	const {bars} = spec;
	const ticks = niceTicks(0, Math.max(0, ...bars.map(bar => bar.value)), {integer: spec.integerY});
	const yHigh = ticks.at(-1)!;
	const yAt = (value: number) => margin.top + plotHeight - (value / yHigh) * plotHeight;
	const slot = plotWidth / Math.max(1, bars.length);
	const gap = slot > 6 ? Math.min(slot * 0.2, 6) : 0;
	const labelEvery = Math.max(1, Math.ceil(bars.length / 8));
	const body = bars.map((bar, index) => {
		const x = margin.left + index * slot;
		const top = round(yAt(bar.value));
		const extra = Object.entries(bar.data ?? {}).map(([name, value]) => ` data-${name}="${escapeHtml(String(value))}"`).join('');
		const rect = `<rect class="bar" x="${round(x + gap / 2)}" y="${top}" width="${round(Math.max(0.5, slot - gap))}" height="${round(margin.top + plotHeight - top)}" fill="${bar.color ?? spec.color}"${extra}><title>${escapeHtml(bar.title)}</title></rect>`;
		const label = index % labelEvery === 0
			? `<text class="tick" x="${round(x + slot / 2)}" y="${height - margin.bottom + 18}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
			: '';
		return rect + label;
	}).join('');

	return `${svgOpen(spec.id, spec.label, `data-bars="${bars.length}"`)}${yAxis(ticks, yAt, spec.formatY)}`
		+ `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}"/>${body}</svg>`;
}

/** The key to a chart's lines, in HTML beside the SVG. */
export function legend(series: ReadonlyArray<{name: string; color: string}>): string {
	return `<ul class="legend">${series.map(line => `<li><span class="swatch" style="background:${line.color}"></span>${escapeHtml(line.name)}</li>`).join('')}</ul>`;
}

/** What stands where a chart would be when there is nothing to draw. */
export function emptyChart(id: string, message: string): string {
	return `<div class="chart-empty" data-chart="${escapeHtml(id)}" data-empty="true">${escapeHtml(message)}</div>`;
}
