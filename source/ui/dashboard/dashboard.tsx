import {Box, Text} from 'ink';
import {useMemo, useReducer, useRef, useSyncExternalStore} from 'react';
import type {ClientRow, Snapshot} from '../../metrics/snapshot.js';
import type {RunControls} from '../../reporters/presenter.js';
import {fit} from '../format.js';
import type {LogBuffer} from '../log-buffer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {column, fitColumns, headerLine, rowLine, type RowContext} from './columns.js';
import {dashboardReducer, initialDashboardState, type DashboardState, type Frozen, type Limits} from './dashboard-state.js';
import {Header, Help, LogPane, Totals, type DashboardInfo} from './panels.js';
import {StaleTracker} from './stale.js';
import {clampOffset, selectRows} from './table-model.js';
import {useDashboardInput} from './use-dashboard-input.js';

/** The part of the MetricsStore the dashboard reads: a snapshot per tick, and the rows behind it. */
export type DashboardSource = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): Snapshot;
	clientRows(): ClientRow[];
};

export type DashboardProps = {
	source: DashboardSource;
	info: DashboardInfo;
	controls: RunControls;
	version: string;
	log?: LogBuffer;
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
 * How many table rows fit: header 2 + totals 3 + table head 1 + footer 1 lines, the log pane
 * when there is room, and one spare line so Ink's frame never fills the screen (a full-screen
 * frame makes Ink clear the whole terminal on every redraw).
 */
export function layout(height: number): {page: number; logLines: number} {
	const fixed = 7;
	const logLines = height >= 30 ? 6 : (height >= 20 ? 3 : 0);
	const logBlock = logLines > 0 ? logLines + 1 : 0;
	return {page: Math.max(1, height - 1 - fixed - logBlock), logLines};
}

export function Dashboard({source, info, controls, version, log, color = true, width, height, initialState, onForceQuit}: DashboardProps) {
	const [state, dispatch] = useReducer(dashboardReducer, {...initialDashboardState, ...initialState});
	// Paused: stop listening, so the frozen frame costs nothing while the run goes on.
	const live = useSyncExternalStore(state.frozen ? noSubscription : source.subscribe, source.getSnapshot);
	const snapshot = state.frozen?.snapshot ?? live;
	const terminal = useTerminalSize();
	const columns = width ?? terminal.columns;
	const {page, logLines} = layout(height ?? terminal.rows);
	const paint = (name: string) => (color ? name : undefined);

	const tracker = useRef<StaleTracker>(undefined);
	tracker.current ??= new StaleTracker();
	// Once per snapshot: read every row and update the stale rule's view of heartbeats.
	const {rows, context, staleCount} = useMemo(() => {
		const rows = state.frozen?.rows ?? source.clientRows();
		const stale = tracker.current!;
		const now = snapshot.elapsedMs;
		stale.update(rows, now);
		const context: RowContext = {now, isStale: row => stale.isStale(row, now)};
		let staleCount = 0;
		for (const row of rows) {
			if (context.isStale(row)) {
				staleCount++;
			}
		}

		return {rows, context, staleCount};
	}, [snapshot, state.frozen, source]);

	const selected = useMemo(() => selectRows(rows, state.sort, state.descending, state.filter, context), [rows, state.sort, state.descending, state.filter, context]);
	const offset = clampOffset(state.offset, selected.length, page);
	const visible = selected.slice(offset, offset + page);

	const current = useRef<Limits & Frozen>(undefined);
	current.current = {total: selected.length, page, snapshot, rows};
	useDashboardInput({state, dispatch, controls, current: () => current.current!, onForceQuit});

	const shown = fitColumns(columns);
	const rowColor = (row: ClientRow) => {
		if (row.state === 'failed' || row.state === 'reconnecting') {
			return paint('red');
		}

		return context.isStale(row) ? paint('yellow') : undefined;
	};

	const sortTitle = column(state.sort).title;
	const range = selected.length === 0 ? 'no rows' : `rows ${offset + 1}-${offset + visible.length} of ${selected.length}`;
	const footer = `${range}${state.filter === 'problems' ? ` (problems of ${rows.length})` : ''} · sort ${sortTitle} ${state.descending ? '▼' : '▲'} · filter ${state.filter} · ↑↓ PgUp/PgDn Home/End s r f p +/- ? help · q quit`;

	return (
		<Box flexDirection="column" width={columns}>
			<Header info={info} version={version} snapshot={snapshot} clients={controls.clients} paused={state.frozen !== undefined} stopping={state.stopping}/>
			<Totals snapshot={snapshot} stale={staleCount} width={columns} paint={paint}/>
			{state.help
				? <Help height={page + 2 + (logLines > 0 ? logLines + 1 : 0)}/>
				: (
					<>
						<Text bold underline={color} wrap="truncate">{headerLine(shown, state.sort, state.descending)}</Text>
						{visible.length === 0
							? <Text wrap="truncate">{fit(state.filter === 'problems' ? 'no problems: every client is fine' : 'no clients yet', columns)}</Text>
							: visible.map(row => <Text key={row.id} wrap="truncate" color={rowColor(row)}>{rowLine(row, shown, context)}</Text>)}
						<Text wrap="truncate" dimColor={color}>{footer}</Text>
						{logLines > 0 && log
							? <LogPane lines={log.latest(logLines)} level={info.logLevel} suppressed={log.suppressed} count={logLines} paint={paint}/>
							: null}
					</>
				)}
		</Box>
	);
}
