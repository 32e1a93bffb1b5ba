import assert from 'node:assert/strict';
import type {Presenter, RunView} from '../../source/reporters/presenter.js';

/** A presenter that keeps the run's view and its lines, for a test to drive the run through. */
export function createProbe() {
	let view: RunView | undefined;
	const lines: string[] = [];
	const presenter: Presenter = {
		wantsEvents: false,
		start(started) {
			view = started;
		},
		event() {
			// Not asked for.
		},
		message(level, text) {
			lines.push(`${level} ${text}`);
		},
		async finish() {
			// Nothing to draw.
		},
	};
	return {
		presenter,
		lines,
		/** started yet */
		get started(): boolean {
			return view !== undefined;
		},
		get view(): RunView {
			assert.ok(view, 'the run has started');
			return view;
		},
	};
}
