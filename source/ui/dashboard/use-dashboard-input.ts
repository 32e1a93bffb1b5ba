import {useInput, useStdin} from 'ink';
import {useRef, type Dispatch} from 'react';
import type {RunControls} from '../../reporters/presenter.js';
import type {DashboardAction, DashboardState, Frozen, Limits} from './dashboard-state.js';

export type DashboardInputOptions = {
	state: DashboardState;
	dispatch: Dispatch<DashboardAction>;
	controls: RunControls;
	/** the table (and the help's lines) as last drawn, read when a key arrives */
	current: () => Limits & Frozen & {help: Limits};
	/** a second q / Ctrl-C while the clients are closing */
	onForceQuit?: () => void;
	/** --target: how many targets `t` cycles through (0 or absent: no target filter) */
	targets?: number;
	/** --agents: `a` shows / hides the per-agent panel */
	agents?: boolean;
};

/** Keys -> reducer actions and run controls. Pure mapping; everything it touches comes in through options. */
export function useDashboardInput({state, dispatch, controls, current, onForceQuit, targets = 0, agents = false}: DashboardInputOptions): void {
	const stopping = useRef(false);
	// Without a TTY on stdin (sse-tui < file) Ink cannot read keys; the dashboard still draws.
	const {isRawModeSupported} = useStdin();
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) {
			if (stopping.current) {
				onForceQuit?.();
				return;
			}

			stopping.current = true;
			dispatch({type: 'stop'});
			controls.stop();
			return;
		}

		if (state.help && (key.escape || input === '?')) {
			dispatch({type: 'close-help'});
			return;
		}

		const {total, page, snapshot, rows, help} = current();
		if (state.help && (key.upArrow || key.downArrow || key.pageUp || key.pageDown || input === 'k' || input === 'j' || input === ' ')) {
			const step = key.pageUp || key.pageDown || input === ' ' ? Math.max(1, help.page - 1) : 1;
			dispatch({type: 'help-scroll', delta: key.upArrow || key.pageUp || input === 'k' ? -step : step, limits: help});
			return;
		}

		const limits = {total, page};
		if (key.upArrow || input === 'k') {
			dispatch({type: 'scroll', delta: -1, limits});
		} else if (key.downArrow || input === 'j') {
			dispatch({type: 'scroll', delta: 1, limits});
		} else if (key.pageUp) {
			dispatch({type: 'page', direction: -1, limits});
		} else if (key.pageDown || input === ' ') {
			dispatch({type: 'page', direction: 1, limits});
		} else if (key.home || input === 'g') {
			dispatch({type: 'home'});
		} else if (key.end || input === 'G') {
			dispatch({type: 'end', limits});
		} else if (input === 's') {
			dispatch({type: 'cycle-sort'});
		} else if (input === 'r') {
			dispatch({type: 'reverse'});
		} else if (input === 'f') {
			dispatch({type: 'toggle-filter'});
		} else if (input === 't' && targets > 1) {
			dispatch({type: 'cycle-target', targets});
		} else if (input === 'a' && agents) {
			dispatch({type: 'toggle-agents'});
		} else if (input === 'p') {
			dispatch({type: 'toggle-pause', frozen: {snapshot, rows}});
		} else if (input === '?') {
			dispatch({type: 'toggle-help'});
		} else if (/^[+=]+$/.test(input)) {
			// Keys pressed fast, or held down, reach us as one chunk ("+++"): each one counts.
			controls.addClients(input.length);
		} else if (/^[-_]+$/.test(input)) {
			controls.removeClients(input.length).catch(() => undefined);
		}
	}, {isActive: isRawModeSupported});
}
