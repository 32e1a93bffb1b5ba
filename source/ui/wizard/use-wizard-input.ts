import {useInput} from 'ink';
import type {Dispatch} from 'react';
import {stepKind, type WizardAction, type WizardState} from './wizard-state.js';

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
			if (input.toLowerCase() === 'y') {
				dispatch({type: 'answer', yes: true});
			} else if (input.toLowerCase() === 'n') {
				dispatch({type: 'answer', yes: false});
			}
		} else if (input !== '' && !key.ctrl && !key.meta) {
			dispatch({type: 'type', text: input});
		}
	});
}
