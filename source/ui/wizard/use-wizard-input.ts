import {useInput} from 'ink';
import type {Dispatch} from 'react';
import type {WizardAction, WizardState} from './wizard-state.js';
import {stepKind} from './wizard-steps.js';

/** Keys -> wizard actions: Enter submits, Esc goes back, Ctrl-C leaves, y/n answer yes-no steps. */
export function useWizardInput(state: WizardState, dispatch: Dispatch<WizardAction>): void {
	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			dispatch({type: 'cancel'});
			return;
		}

		if (key.escape) {
			dispatch({type: 'back'});
		} else if (key.return) {
			dispatch({type: 'submit'});
		} else if (key.backspace || key.delete) {
			dispatch({type: 'erase'});
		} else if (key.upArrow || key.leftArrow) {
			dispatch({type: 'move', delta: -1});
		} else if (key.downArrow || key.rightArrow || key.tab) {
			dispatch({type: 'move', delta: 1});
		} else if (stepKind(state.step) === 'yes-no') {
			if (input.toLowerCase().startsWith('y')) {
				dispatch({type: 'answer', yes: true});
			} else if (input.toLowerCase().startsWith('n')) {
				dispatch({type: 'answer', yes: false});
			}
		} else if (input !== '' && !key.ctrl && !key.meta) {
			for (const action of typedActions(input)) {
				dispatch(action);
			}
		}
	});
}

/**
 * A pasted or fast-typed chunk arrives as one input ("3001\r", "\x7f\x7f"): Ink flags Enter
 * and Backspace only when they come alone, so the chunk is split here into the keys it holds.
 */
export function typedActions(input: string): WizardAction[] {
	const actions: WizardAction[] = [];
	let text = '';
	const flush = () => {
		if (text !== '') {
			actions.push({type: 'type', text});
			text = '';
		}
	};

	for (const char of input) {
		if (char === '\r' || char === '\n') {
			flush();
			actions.push({type: 'submit'});
		} else if (char === '\u007F' || char === '\b') {
			flush();
			actions.push({type: 'erase'});
		} else if (char >= ' ') {
			text += char;
		}
	}

	flush();
	return actions;
}
