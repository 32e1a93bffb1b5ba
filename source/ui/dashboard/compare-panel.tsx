import {Text} from 'ink';
import type {Comparison, MetricName} from '../../compare/comparison.js';
import {cell} from '../../compare/text.js';
import {fit} from '../format.js';

type Paint = (name: string) => string | undefined;

/** The rows of the side-by-side totals, in order (the issue's list). */
const rows: ReadonlyArray<[MetricName, string]> = [
	['open', 'open'],
	['msgsPerSec', 'msgs/s'],
	['latencyP50', 'latency p50'],
	['latencyP99', 'latency p99'],
	['fanoutP99', 'fan-out p99'],
	['delivery', 'delivery'],
	['errors', 'errors'],
	['reconnects', 'reconnects'],
	['heartbeats', 'heartbeats'],
];

/** Lines the panel takes: a title row and one per metric. */
export const comparePanelLines = rows.length + 1;

const labelWidth = 12;

/** Column width per target at this terminal width: as wide as fits, at most 28. */
export function targetWidth(width: number, count: number): number {
	return Math.max(6, Math.min(28, Math.floor((width - labelWidth) / count) - 1));
}

/**
 * The totals with --target: one column per target, the better value marked `*` (and green),
 * the ratio to the first target's value beside the others when the column has room (15
 * characters: at 80 columns even 4 targets have it).
 */
export function ComparePanel({names, comparison, width, filter, paint}: {names: readonly string[]; comparison: Comparison | undefined; width: number; filter: number; paint: Paint}) {
	const column = targetWidth(width, names.length);
	const withRatio = column >= 15;
	const title = `${'targets'.padEnd(labelWidth)}${names.map((name, index) => fit(`${index === filter ? '>' : ''}${name}`, column).padEnd(column + 1)).join('')}`;
	return (
		<>
			<Text bold wrap="truncate">{title.trimEnd()}</Text>
			{rows.map(([name, label]) => {
				const metric = comparison?.metrics[name];
				return (
					<Text key={name} wrap="truncate">
						{label.padEnd(labelWidth)}
						{names.map(target => {
							const text = metric ? cell(metric, target, comparison.baseline, {ratio: withRatio}) : '…';
							return (
								<Text key={target} color={metric?.best === target ? paint('green') : undefined}>
									{fit(text, column).padEnd(column + 1)}
								</Text>
							);
						})}
					</Text>
				);
			})}
		</>
	);
}
