import {Box, Text} from 'ink';
import {useMemo, useReducer, useRef, useSyncExternalStore, type ReactNode} from 'react';
import type {ClientRow} from '../../metrics/snapshot.js';
import type {RunControls} from '../../reporters/presenter.js';
import {fit} from '../format.js';
import type {LogView} from '../log-buffer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {spellOut} from './column-titles.js';
import {cellText, column, fitColumns, headerLine, rowLine, type Column, type RowContext} from './columns.js';
import {dashboardReducer, initialDashboardState, type DashboardState, type Frozen, type Limits} from './dashboard-state.js';
import {helpLines, helpPage, HelpPanel} from './help-panel.js';
import {Header, LogPane, ThresholdsLine, Totals, type DashboardInfo} from './panels.js';
import {TableFeed, type DashboardSource} from './table-feed.js';
import {clampOffset, selectRows} from './table-model.js';
import {useDashboardInput} from './use-dashboard-input.js';
import {ComparePanel, comparePanelLines} from './compare-panel.js';
import {AgentsPanel, agentsPanelLines} from './agents-panel.js';

export type {DashboardSource} from './table-feed.js';

export type DashboardProps = {
	source: DashboardSource;
	info: DashboardInfo;
	controls: RunControls;
	version: string;
	log?: LogView;
	/** false under NO_COLOR: no colour attributes at all, text markers only */
	color?: boolean;
	/** override the terminal size (tests) */
	width?: number;
	height?: number;
	initialState?: Partial<DashboardState>;
	onForceQuit?: () => void;
};

const noSubscription = () => () => undefined;

/**
 * How many table rows fit: header 2 + totals 4 + table head 1 + footer 1 lines, the log pane
 * when there is room, and one spare line so Ink's frame never fills the screen (a full-screen
 * frame makes Ink clear the whole terminal on every redraw).
 */
export function layout(height: number): {page: number; logLines: number} {
	const fixed = 8;
	const logLines = height >= 30 ? 6 : (height >= 20 ? 3 : 0);
	const logBlock = logLines > 0 ? logLines + 1 : 0;
	return {page: Math.max(1, height - 1 - fixed - logBlock), logLines};
}

/** Every cell but the event id is ASCII by construction (numbers, state names, `…` is one column wide). */
const printableAscii = /^[\u0000-\u007E]*$/;

/**
 * The visible rows as one box per column, each holding a single <Text> of newline-joined cells:
 * the same characters on screen as a <Text> per row, but 2 Ink nodes per column instead of one
 * per row, and no separator or trailing padding for Ink to tokenize (its output stage costs
 * about 3 us per character written, the largest part of a frame). Colour per cell, only on
 * the rows that have one.
 */
function TableBody({rows, shown, context, rowColor}: {rows: readonly ClientRow[]; shown: readonly Column[]; context: RowContext; rowColor: (row: ClientRow) => string | undefined}) {
	if (!rows.every(row => printableAscii.test(row.lastEventId))) {
		// A server's event id may hold wide characters, wider than their length: a column box
		// would make Ink truncate its whole multi-line text. Draw such a page a <Text> per row.
		return rows.map(row => <Text key={row.id} wrap="truncate" color={rowColor(row)}>{rowLine(row, shown, context)}</Text>);
	}

	const colors = rows.map(row => rowColor(row));
	return (
		<Box>
			{shown.map((candidate, index) => {
				const parts: ReactNode[] = [];
				let plain = '';
				for (const [line, row] of rows.entries()) {
					const text = cellText(candidate, row, context);
					const color = colors[line];
					if (color === undefined) {
						plain += text;
					} else {
						if (plain !== '') {
							parts.push(plain);
						}

						parts.push(<Text key={line} color={color}>{text}</Text>);
						plain = '';
					}

					if (line < rows.length - 1) {
						plain += '\n';
					}
				}

				if (plain !== '') {
					parts.push(plain);
				}

				return (
					<Box key={candidate.id} width={candidate.width} marginLeft={index === 0 ? 0 : 1} flexShrink={0}>
						<Text wrap="truncate">{parts.length === 1 ? parts[0] : parts}</Text>
					</Box>
				);
			})}
		</Box>
	);
}

export function Dashboard({source, info, controls, version, log, color = true, width, height, initialState, onForceQuit}: DashboardProps) {
	const [state, dispatch] = useReducer(dashboardReducer, {...initialDashboardState, ...initialState});
	const terminal = useTerminalSize();
	const columns = width ?? terminal.columns;
	const thresholds = source.thresholds?.() ?? [];
	const paint = (name: string) => (color ? name : undefined);

	const feed = useMemo(() => new TableFeed(source), [source]);
	// Paused: stop listening, so the frozen frame costs nothing while the run goes on.
	const live = useSyncExternalStore(state.frozen ? noSubscription : feed.subscribe, state.frozen ? feed.peek : feed.getSnapshot);
	const {frozen} = state;
	const {snapshot, rows, context, staleCount} = useMemo(() => (frozen ? feed.read(frozen.snapshot, frozen.rows) : live), [feed, frozen, live]);
	// The thresholds line and the server's line take their rows from the height the rest is laid out in.
	// --target: the side-by-side panel replaces the 4 lines of totals.
	const targets = info.targets ?? [];
	// --agents: the per-agent panel, paused with the rest of the frame; its lines come off the table's.
	const agentsNow = useRef(source.agents?.());
	if (!state.frozen) {
		agentsNow.current = source.agents?.();
	}

	const agents = agentsNow.current;
	const screenRows = height ?? terminal.rows;
	const agentsVisible = agents !== undefined && !state.agentsHidden;
	const {page, logLines} = layout(screenRows - (agentsVisible ? agentsPanelLines(agents.length, screenRows) : 0) - (thresholds.length > 0 ? 1 : 0) - (snapshot.server ? 1 : 0) - (targets.length > 0 ? comparePanelLines - 4 : 0) - (snapshot.streams || snapshot.transport ? 1 : 0));

	const target = targets.length > 0 ? state.target ?? -1 : -1;
	const ofTarget = useMemo(() => (target < 0 ? rows : rows.filter(row => (row.id - 1) % targets.length === target)), [rows, target, targets.length]);
	const selected = useMemo(() => selectRows(ofTarget, state.sort, state.descending, state.filter, context), [ofTarget, state.sort, state.descending, state.filter, context]);
	const offset = clampOffset(state.offset, selected.length, page);
	const visible = selected.slice(offset, offset + page);

	const helpHeight = page + 2 + (logLines > 0 ? logLines + 1 : 0);
	const current = useRef<Limits & Frozen & {help: Limits}>(undefined);
	current.current = {total: selected.length, page, snapshot, rows, help: {total: state.help ? helpLines(columns - 4, agents !== undefined).length : 0, page: helpPage(helpHeight)}};
	useDashboardInput({state, dispatch, controls, current: () => current.current!, onForceQuit, targets: targets.length, agents: agents !== undefined});

	const shown = spellOut(fitColumns(columns, snapshot.streams !== undefined), columns, snapshot.streams !== undefined);
	const rowColor = (row: ClientRow) => {
		if (row.state === 'failed' || row.state === 'reconnecting') {
			return paint('red');
		}

		return context.isStale(row) ? paint('yellow') : undefined;
	};

	// Paused: the side-by-side columns stay as they were, like the rest of the frame.
	const comparison = useRef(source.compare?.());
	if (!state.frozen) {
		comparison.current = source.compare?.();
	}

	const sortTitle = (shown.find(candidate => candidate.id === state.sort) ?? column(state.sort)).title;
	const range = selected.length === 0 ? 'no rows' : `rows ${offset + 1}-${offset + visible.length} of ${selected.length}`;
	const targetPart = targets.length > 0 ? ` · t target ${target < 0 ? 'all' : targets[target]}` : '';
	const footer = `${range}${state.filter === 'problems' ? ` (problems of ${ofTarget.length})` : ''}${targetPart} · sort ${sortTitle} ${state.descending ? '▼' : '▲'} · filter ${state.filter} · ↑↓ PgUp/PgDn Home/End s r f p${agents ? ' a' : ''} +/- ? help · q quit`;

	return (
		<Box flexDirection="column" width={columns}>
			<Header info={info} version={version} snapshot={snapshot} clients={controls.clients} paused={state.frozen !== undefined} stopping={state.stopping}/>
			{targets.length > 0
				? <ComparePanel names={targets} comparison={comparison.current} width={columns} filter={target} paint={paint}/>
				: <Totals snapshot={snapshot} stale={staleCount} width={columns} paint={paint}/>}
			{thresholds.length > 0 ? <ThresholdsLine results={thresholds} paint={paint}/> : null}
			{agentsVisible ? <AgentsPanel rows={agents} width={columns} height={screenRows} color={color}/> : null}
			{state.help
				? <HelpPanel width={columns} height={helpHeight} offset={state.helpOffset} color={color} agents={agents !== undefined}/>
				: (
					<>
						<Text bold underline={color} wrap="truncate">{headerLine(shown, state.sort, state.descending)}</Text>
						{visible.length === 0
							? <Text wrap="truncate">{fit(state.filter === 'problems' ? 'no problems: every client is fine' : 'no clients yet', columns)}</Text>
							: <TableBody rows={visible} shown={shown} context={context} rowColor={rowColor}/>}
						<Text wrap="truncate" dimColor={color}>{footer}</Text>
						{logLines > 0 && log
							? <LogPane lines={log.latest(logLines)} level={info.logLevel} suppressed={log.suppressed} count={logLines} paint={paint}/>
							: null}
					</>
				)}
		</Box>
	);
}
