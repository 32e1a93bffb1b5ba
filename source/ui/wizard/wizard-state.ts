import {defaults, logLevels, resolveConfig, type LogLevel, type RunFlags} from '../../config.js';
import {parseDuration, parseInteger} from '../../units.js';

/** The wizard's questions, in the old test.sh order; which ones are asked depends on the answers. */
export type StepId = 'port' | 'protocol' | 'logLevel' | 'scenario' | 'url' | 'clients' | 'stats' | 'duration' | 'probe' | 'server';

export type WizardProtocol = 'sse' | 'websocket';
export type WizardScenario = 'single' | 'multiple' | 'load' | 'custom' | 'exit';

export type Answers = {
	port: number;
	protocol: WizardProtocol;
	logLevel: LogLevel;
	scenario: WizardScenario;
	url: string;
	clients: number;
	stats: boolean;
	/** as typed ("30s"); empty: until q */
	duration: string;
	/** whether something listened on the target port (set by the probe) */
	listening: boolean;
	startServer: boolean;
};

export type Choice<T> = {value: T; label: string};

export const protocolChoices: ReadonlyArray<Choice<WizardProtocol>> = [
	{value: 'sse', label: 'SSE (/dashboard/stream)'},
	{value: 'websocket', label: 'WebSocket (/cable, ActionCable)'},
];

export const logLevelChoices: ReadonlyArray<Choice<LogLevel>> = logLevels.map(level => ({value: level, label: level}));

export const scenarioChoices: ReadonlyArray<Choice<WizardScenario>> = [
	{value: 'single', label: 'single client'},
	{value: 'multiple', label: 'multiple clients'},
	{value: 'load', label: 'load test with stats'},
	{value: 'custom', label: 'custom URL'},
	{value: 'exit', label: 'exit'},
];

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

export const initialAnswers: Answers = {
	port: defaults.port,
	protocol: 'sse',
	logLevel: defaults.logLevel,
	scenario: 'single',
	url: '',
	clients: 1,
	stats: false,
	duration: '',
	listening: true,
	startServer: false,
};

export const clientDefaults: Record<WizardScenario, number> = {single: 1, multiple: 5, load: 20, custom: 5, exit: 1};

type Kind = 'text' | 'select' | 'yes-no' | 'wait';

export function stepKind(step: StepId): Kind {
	switch (step) {
		case 'port':
		case 'url':
		case 'clients':
		case 'duration': { return 'text'; }
		case 'protocol':
		case 'logLevel':
		case 'scenario': { return 'select'; }
		case 'stats':
		case 'server': { return 'yes-no'; }
		case 'probe': { return 'wait'; }
	}
}

/** The URL the run would use for these answers without --url: shown as the custom step's default. */
export function builtUrl(answers: Pick<Answers, 'port' | 'protocol'>): string {
	return answers.protocol === 'websocket' ? `ws://localhost:${answers.port}/cable` : `http://localhost:${answers.port}${defaults.path}`;
}

/** The default shown for a text step; Enter on an empty line takes it. */
export function textDefault(step: StepId, answers: Answers): string {
	switch (step) {
		case 'port': { return String(defaults.port); }
		case 'url': { return builtUrl(answers); }
		case 'clients': { return String(clientDefaults[answers.scenario]); }
		default: { return ''; }
	}
}

function choicesOf(step: StepId): ReadonlyArray<Choice<string>> {
	switch (step) {
		case 'protocol': { return protocolChoices; }
		case 'logLevel': { return logLevelChoices; }
		case 'scenario': { return scenarioChoices; }
		default: { return []; }
	}
}

export function choicesFor(step: StepId): ReadonlyArray<Choice<string>> {
	return choicesOf(step);
}

/** The host and port the run will connect to, when it is this machine (the bundled server can only help there). */
export function localTarget(answers: Answers): number | undefined {
	if (answers.scenario !== 'custom') {
		return answers.port;
	}

	try {
		const url = new URL(answers.url);
		if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
			return undefined;
		}

		const port = url.port === '' ? (['https:', 'wss:'].includes(url.protocol) ? 443 : 80) : Number(url.port);
		return port;
	} catch {
		return undefined;
	}
}

/** The step after `step` once it is answered. */
function nextStep(step: StepId, answers: Answers): StepId | 'done' | 'exit' {
	switch (step) {
		case 'port': { return 'protocol'; }
		case 'protocol': { return 'logLevel'; }
		case 'logLevel': { return 'scenario'; }
		case 'scenario': {
			switch (answers.scenario) {
				case 'single': { return 'duration'; }
				case 'multiple':
				case 'load': { return 'clients'; }
				case 'custom': { return 'url'; }
				case 'exit': { return 'exit'; }
			}
		}

		// eslint-disable-next-line no-fallthrough
		case 'url': { return 'clients'; }
		case 'clients': { return answers.scenario === 'custom' ? 'stats' : 'duration'; }
		case 'stats': { return 'duration'; }
		case 'duration': { return localTarget(answers) === undefined ? 'done' : 'probe'; }
		case 'probe': { return answers.listening ? 'done' : 'server'; }
		case 'server': { return 'done'; }
	}
}

/** What a step's input line or cursor starts as when arriving at it (again, after Esc). */
function enter(state: WizardState, step: StepId, answers: Answers): WizardState {
	const base = {...state, step, answers, error: undefined};
	switch (step) {
		case 'port': { return {...base, input: String(answers.port === defaults.port ? '' : answers.port)}; }
		case 'url': { return {...base, input: answers.url}; }
		case 'clients': { return {...base, input: answers.clients === clientDefaults[answers.scenario] ? '' : String(answers.clients)}; }
		case 'duration': { return {...base, input: answers.duration}; }
		case 'protocol': { return {...base, cursor: protocolChoices.findIndex(choice => choice.value === answers.protocol)}; }
		case 'logLevel': { return {...base, cursor: logLevels.indexOf(answers.logLevel)}; }
		case 'scenario': { return {...base, cursor: scenarioChoices.findIndex(choice => choice.value === answers.scenario)}; }
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

/** Validates a text answer with the same rules the flags go through; a UsageError's message is the reason shown. */
function acceptText(step: StepId, text: string, answers: Answers): Answers {
	switch (step) {
		case 'port': { return {...answers, port: parseInteger(text, 'Port', 1, 65_535)}; }
		case 'clients': { return {...answers, clients: parseInteger(text, 'Clients', 1, 1_000_000)}; }
		case 'duration': {
			if (text !== '') {
				parseDuration(text, 'Duration');
			}

			return {...answers, duration: text};
		}

		case 'url': {
			// resolveConfig holds the URL rules (scheme per protocol); its message names --url.
			resolveConfig({scenario: 'custom', protocol: answers.protocol, url: text});
			return {...answers, url: text};
		}

		default: { return answers; }
	}
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
			// The probe is not a question: going back from the server offer lands on duration.
			const history = state.history.filter(step => step !== 'probe');
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

			const count = choicesOf(state.step).length;
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
					const value = choicesOf(state.step)[state.cursor]!.value;
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

/** The answers as the flags `sse-tui` would parse from argv for the same run. */
export function flagsFrom(answers: Answers): RunFlags {
	const flags: RunFlags = {protocol: answers.protocol, logLevel: answers.logLevel};
	if (answers.scenario !== 'exit') {
		flags.scenario = answers.scenario;
	}

	if (answers.scenario === 'custom') {
		flags.url = answers.url;
		flags.clients = String(answers.clients);
		flags.stats = answers.stats;
	} else {
		flags.port = String(answers.port);
		if (answers.scenario === 'multiple' || answers.scenario === 'load') {
			flags.clients = String(answers.clients);
		}
	}

	if (answers.duration !== '') {
		flags.duration = answers.duration;
	}

	return flags;
}
