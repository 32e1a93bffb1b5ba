import {deliveryDefaults} from '../../config-delivery.js';
import {defaults, logLevels, type LogLevel} from '../../config.js';
import {
	acceptText, choicesFor, clientDefaults, initialAnswers, nextStep, protocolChoices, scenarioChoicesFor, stepKind, textDefault,
	type Answers, type StepId, type WizardProtocol, type WizardScenario,
} from './wizard-steps.js';

export type WizardState = {
	step: StepId;
	/** steps answered, for Esc */
	history: StepId[];
	answers: Answers;
	/** text being typed on a text step */
	input: string;
	/** highlighted choice on a select step */
	cursor: number;
	/** why the last Enter was refused */
	error: string | undefined;
	/** 'done': answers complete; 'exit': the user chose exit or pressed Ctrl-C */
	outcome: 'done' | 'exit' | undefined;
};

export type WizardAction =
	| {type: 'type'; text: string}
	| {type: 'erase'}
	| {type: 'move'; delta: number}
	| {type: 'submit'}
	/** y / n on a yes-no step */
	| {type: 'answer'; yes: boolean}
	| {type: 'back'}
	| {type: 'probed'; listening: boolean}
	| {type: 'cancel'};

/** What a step's input line or cursor starts as when arriving at it (again, after Esc). */
function enter(state: WizardState, step: StepId, answers: Answers): WizardState {
	const base = {...state, step, answers, error: undefined};
	switch (step) {
		case 'port': { return {...base, input: String(answers.port === defaults.port ? '' : answers.port)}; }
		case 'url': { return {...base, input: answers.url}; }
		case 'clients': { return {...base, input: answers.clients === clientDefaults[answers.scenario] ? '' : String(answers.clients)}; }
		case 'duration': { return {...base, input: answers.duration}; }
		case 'publish': { return {...base, input: answers.publish}; }
		case 'count': { return {...base, input: answers.count === deliveryDefaults.count ? '' : String(answers.count)}; }
		case 'connectRate': { return {...base, input: answers.connectRate}; }
		case 'churnRate': { return {...base, input: answers.churnRate}; }
		case 'stormAt': { return {...base, input: answers.stormAt}; }
		case 'protocol': { return {...base, cursor: protocolChoices.findIndex(choice => choice.value === answers.protocol)}; }
		case 'logLevel': { return {...base, cursor: logLevels.indexOf(answers.logLevel)}; }
		case 'scenario': { return {...base, cursor: Math.max(0, scenarioChoicesFor(answers).findIndex(choice => choice.value === answers.scenario))}; }
		default: { return base; }
	}
}

function advance(state: WizardState, answers: Answers): WizardState {
	const next = nextStep(state.step, answers);
	if (next === 'done' || next === 'exit') {
		return {...state, answers, error: undefined, outcome: next};
	}

	return enter({...state, history: [...state.history, state.step]}, next, answers);
}

export function createWizardState(): WizardState {
	return enter({step: 'port', history: [], answers: initialAnswers, input: '', cursor: 0, error: undefined, outcome: undefined}, 'port', initialAnswers);
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
	if (state.outcome !== undefined) {
		return state;
	}

	const kind = stepKind(state.step);
	switch (action.type) {
		case 'cancel': {
			return {...state, outcome: 'exit'};
		}

		case 'back': {
			// The probes are not questions: going back from the server offer lands on duration.
			const history = state.history.filter(step => step !== 'probe' && step !== 'portProbe');
			const previous = history.at(-1);
			if (previous === undefined) {
				return state;
			}

			return enter({...state, history: history.slice(0, -1)}, previous, state.answers);
		}

		case 'type': {
			if (kind !== 'text') {
				return state;
			}

			// Pasted text may carry a newline or control characters; keep what can be typed.
			// eslint-disable-next-line no-control-regex
			return {...state, input: state.input + action.text.replaceAll(/[\u0000-\u001F\u007F]/g, ''), error: undefined};
		}

		case 'erase': {
			return kind === 'text' ? {...state, input: state.input.slice(0, -1), error: undefined} : state;
		}

		case 'move': {
			if (kind !== 'select') {
				return state;
			}

			const count = choicesFor(state.step, state.answers).length;
			return {...state, cursor: (state.cursor + action.delta + count) % count};
		}

		case 'answer': {
			if (kind !== 'yes-no') {
				return state;
			}

			const answers = state.step === 'stats' ? {...state.answers, stats: action.yes} : {...state.answers, startServer: action.yes};
			return advance(state, answers);
		}

		case 'probed': {
			if (state.step === 'portProbe') {
				// Nothing there: the demo becomes the first scenario and the default.
				const scenario = action.listening ? (state.answers.scenario === 'demo' ? initialAnswers.scenario : state.answers.scenario) : 'demo';
				return advance(state, {...state.answers, portFree: !action.listening, scenario});
			}

			if (state.step !== 'probe') {
				return state;
			}

			return advance(state, {...state.answers, listening: action.listening, startServer: false});
		}

		case 'submit': {
			switch (kind) {
				case 'text': {
					const text = state.input.trim() === '' ? textDefault(state.step, state.answers) : state.input.trim();
					try {
						return advance(state, acceptText(state.step, text, state.answers));
					} catch (error) {
						return {...state, error: error instanceof Error ? error.message : String(error)};
					}
				}

				case 'select': {
					const value = choicesFor(state.step, state.answers)[state.cursor]!.value;
					const answers = state.step === 'protocol'
						? {...state.answers, protocol: value as WizardProtocol}
						: (state.step === 'logLevel' ? {...state.answers, logLevel: value as LogLevel} : {...state.answers, scenario: value as WizardScenario, clients: clientDefaults[value as WizardScenario]});
					return advance(state, answers);
				}

				case 'yes-no': {
					// Enter takes the default shown in capitals: stats N, start the server Y.
					return wizardReducer(state, {type: 'answer', yes: state.step === 'server'});
				}

				case 'wait': {
					return state;
				}
			}
		}
	}
}
