import type {ClientRow, Snapshot} from '../../metrics/snapshot.js';
import {columnIds, type ColumnId} from './columns.js';
import type {Filter} from './table-model.js';

/** What `p` keeps on screen: the snapshot and the rows as they were. */
export type Frozen = {snapshot: Snapshot; rows: readonly ClientRow[]};

export type DashboardState = {
	sort: ColumnId;
	descending: boolean;
	filter: Filter;
	/** first visible row of the (sorted, filtered) table */
	offset: number;
	/** set while the display is paused */
	frozen: Frozen | undefined;
	help: boolean;
	/** first visible line of the help */
	helpOffset: number;
	/** q pressed once: the run is closing its clients */
	stopping: boolean;
	/** --target: the target whose clients the table shows (0-based), -1 for all */
	target?: number;
	/** --agents: the per-agent panel hidden (`a`) */
	agentsHidden?: boolean;
};

/** Scroll actions carry the table size the user saw, so the reducer can clamp without knowing the store. */
export type Limits = {total: number; page: number};

export type DashboardAction =
	| {type: 'scroll'; delta: number; limits: Limits}
	| {type: 'page'; direction: 1 | -1; limits: Limits}
	| {type: 'home'}
	| {type: 'end'; limits: Limits}
	| {type: 'cycle-sort'}
	| {type: 'reverse'}
	| {type: 'toggle-filter'}
	| {type: 'cycle-target'; targets: number}
	| {type: 'toggle-agents'}
	| {type: 'toggle-pause'; frozen: Frozen}
	| {type: 'toggle-help'}
	| {type: 'close-help'}
	/** limits: the help's lines and how many show */
	| {type: 'help-scroll'; delta: number; limits: Limits}
	| {type: 'stop'};

export const initialDashboardState: DashboardState = {
	sort: 'id',
	descending: false,
	filter: 'all',
	offset: 0,
	frozen: undefined,
	help: false,
	helpOffset: 0,
	stopping: false,
};

/** Counters read best biggest-first; ids, states and ages smallest-first (problems first). */
const descendingFirst = new Set<ColumnId>(['messages', 'heartbeats', 'errors', 'reconnects', 'latency', 'gaps', 'stream']);

function clamp(offset: number, {total, page}: Limits): number {
	return Math.max(0, Math.min(offset, total - page));
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'scroll': {
			return {...state, offset: clamp(state.offset + action.delta, action.limits)};
		}

		case 'page': {
			return {...state, offset: clamp(state.offset + (action.direction * Math.max(1, action.limits.page - 1)), action.limits)};
		}

		case 'home': {
			return {...state, offset: 0};
		}

		case 'end': {
			return {...state, offset: clamp(Number.MAX_SAFE_INTEGER, action.limits)};
		}

		case 'cycle-sort': {
			const sort = columnIds[(columnIds.indexOf(state.sort) + 1) % columnIds.length]!;
			return {...state, sort, descending: descendingFirst.has(sort), offset: 0};
		}

		case 'reverse': {
			return {...state, descending: !state.descending, offset: 0};
		}

		case 'toggle-filter': {
			return {...state, filter: state.filter === 'all' ? 'problems' : 'all', offset: 0};
		}

		case 'cycle-target': {
			const next = (state.target ?? -1) + 1;
			return {...state, target: next >= action.targets ? -1 : next, offset: 0};
		}

		case 'toggle-agents': {
			return {...state, agentsHidden: !state.agentsHidden};
		}

		case 'toggle-pause': {
			return {...state, frozen: state.frozen ? undefined : action.frozen};
		}

		case 'toggle-help': {
			return {...state, help: !state.help, helpOffset: 0};
		}

		case 'help-scroll': {
			return {...state, helpOffset: clamp(state.helpOffset + action.delta, action.limits)};
		}

		case 'close-help': {
			return state.help ? {...state, help: false} : state;
		}

		case 'stop': {
			return {...state, stopping: true, help: false};
		}
	}
}
