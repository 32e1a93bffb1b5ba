import {deliveryDefaults} from '../../config-delivery.js';
import {defaults, logLevels, resolveConfig, type LogLevel, type RunFlags} from '../../config.js';
import {parseRate} from '../../shapes/config-shapes.js';
import {parseDuration, parseInteger} from '../../units.js';

/** The wizard's questions, in the old test.sh order; which ones are asked depends on the answers. */
export type StepId = 'port' | 'portProbe' | 'protocol' | 'logLevel' | 'scenario' | 'url' | 'clients' | 'publish' | 'count' | 'connectRate' | 'churnRate' | 'stormAt' | 'stats' | 'duration' | 'probe' | 'server';

export type WizardProtocol = 'sse' | 'websocket';
export type WizardScenario = 'demo' | 'single' | 'multiple' | 'load' | 'broadcast' | 'hold' | 'churn' | 'storm' | 'custom' | 'exit';

export type Answers = {
	port: number;
	protocol: WizardProtocol;
	logLevel: LogLevel;
	scenario: WizardScenario;
	url: string;
	clients: number;
	/** broadcast: a redis:// URL to publish on, or a trigger endpoint's http(s):// URL */
	publish: string;
	/** broadcast: messages to publish */
	count: number;
	/** hold: connections opened per second, as typed ("200/s") */
	connectRate: string;
	/** churn: connections closed and reopened per second, as typed */
	churnRate: string;
	/** storm: when to drop every connection, as typed; empty: watch for a server restart */
	stormAt: string;
	stats: boolean;
	/** as typed ("30s"); empty: until q */
	duration: string;
	/** whether something listened on the target port (set by the probe) */
	listening: boolean;
	/** nothing listened on the port when it was asked: the scenarios start with the demo */
	portFree: boolean;
	startServer: boolean;
};

export type Choice<T> = {value: T; label: string};

export const protocolChoices: ReadonlyArray<Choice<WizardProtocol>> = [
	{value: 'sse', label: 'SSE (/dashboard/stream)'},
	{value: 'websocket', label: 'WebSocket (/cable, ActionCable)'},
];

export const logLevelChoices: ReadonlyArray<Choice<LogLevel>> = logLevels.map(level => ({value: level, label: level}));

/** Offered first when nothing listens on the port: `sse-tui demo`, the bundled server in the same process. */
export const demoChoice: Choice<WizardScenario> = {value: 'demo', label: 'demo: try it against the bundled server'};

export const scenarioChoices: ReadonlyArray<Choice<WizardScenario>> = [
	{value: 'single', label: 'single client'},
	{value: 'multiple', label: 'multiple clients'},
	{value: 'load', label: 'load test with stats'},
	{value: 'broadcast', label: 'broadcast test: do all clients get every update?'},
	{value: 'hold', label: 'hold: many idle connections, memory per connection'},
	{value: 'churn', label: 'churn: keep N connected while closing and reopening some each second'},
	{value: 'storm', label: 'reconnect storm: drop everyone at once (or restart the server), time until back'},
	{value: 'custom', label: 'custom URL'},
	{value: 'exit', label: 'exit'},
];

export const initialAnswers: Answers = {
	port: defaults.port,
	protocol: 'sse',
	logLevel: defaults.logLevel,
	scenario: 'single',
	url: '',
	clients: 1,
	publish: '',
	count: deliveryDefaults.count,
	connectRate: '',
	churnRate: '',
	stormAt: '',
	stats: false,
	duration: '',
	listening: true,
	portFree: false,
	startServer: false,
};

export const clientDefaults: Record<WizardScenario, number> = {demo: 10, single: 1, multiple: 5, load: 20, broadcast: 10, hold: 100, churn: 100, storm: 100, custom: 5, exit: 1};

/** What Enter takes on the shape steps (empty input). */
export const shapeDefaults = {connectRate: '100/s', churnRate: '1/s'} as const;

type Kind = 'text' | 'select' | 'yes-no' | 'wait';

export function stepKind(step: StepId): Kind {
	switch (step) {
		case 'port':
		case 'url':
		case 'clients':
		case 'publish':
		case 'count':
		case 'connectRate':
		case 'churnRate':
		case 'stormAt':
		case 'duration': { return 'text'; }
		case 'protocol':
		case 'logLevel':
		case 'scenario': { return 'select'; }
		case 'stats':
		case 'server': { return 'yes-no'; }
		case 'portProbe':
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
		// The bundled server's trigger: what works with `sse-tui serve` (or the server offered below).
		case 'publish': { return `http://localhost:${answers.port}/dashboard/trigger-test`; }
		case 'count': { return String(deliveryDefaults.count); }
		case 'connectRate': { return shapeDefaults.connectRate; }
		case 'churnRate': { return shapeDefaults.churnRate; }
		default: { return ''; }
	}
}

/** The scenarios offered: the demo first when nothing listens on the port. */
export function scenarioChoicesFor(answers: Pick<Answers, 'portFree'>): ReadonlyArray<Choice<WizardScenario>> {
	return answers.portFree ? [demoChoice, ...scenarioChoices] : scenarioChoices;
}

export function choicesFor(step: StepId, answers: Pick<Answers, 'portFree'>): ReadonlyArray<Choice<string>> {
	switch (step) {
		case 'protocol': { return protocolChoices; }
		case 'logLevel': { return logLevelChoices; }
		case 'scenario': { return scenarioChoicesFor(answers); }
		default: { return []; }
	}
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
export function nextStep(step: StepId, answers: Answers): StepId | 'done' | 'exit' {
	switch (step) {
		// The port is probed at once: with nothing there, the demo is the first scenario offered.
		case 'port': { return 'portProbe'; }
		case 'portProbe': { return 'protocol'; }
		case 'protocol': { return 'logLevel'; }
		case 'logLevel': { return 'scenario'; }
		case 'scenario': {
			switch (answers.scenario) {
				case 'single': { return 'duration'; }
				case 'multiple':
				case 'load':
				case 'broadcast':
				case 'hold':
				case 'churn':
				case 'storm': { return 'clients'; }
				case 'custom': { return 'url'; }
				case 'demo': { return 'done'; }
				case 'exit': { return 'exit'; }
			}
		}

		// eslint-disable-next-line no-fallthrough
		case 'url': { return 'clients'; }
		case 'clients': {
			switch (answers.scenario) {
				case 'custom': { return 'stats'; }
				case 'broadcast': { return 'publish'; }
				case 'hold': { return 'connectRate'; }
				case 'churn': { return 'churnRate'; }
				case 'storm': { return 'stormAt'; }
				default: { return 'duration'; }
			}
		}

		case 'connectRate':
		case 'churnRate':
		case 'stormAt': { return 'duration'; }
		case 'publish': { return 'count'; }
		// A broadcast run ends by itself once drained: no duration to ask.
		case 'count': { return localTarget(answers) === undefined ? 'done' : 'probe'; }
		case 'stats': { return 'duration'; }
		case 'duration': { return localTarget(answers) === undefined ? 'done' : 'probe'; }
		case 'probe': { return answers.listening ? 'done' : 'server'; }
		case 'server': { return 'done'; }
	}
}

/** Validates a text answer with the same rules the flags go through; a UsageError's message is the reason shown. */
export function acceptText(step: StepId, text: string, answers: Answers): Answers {
	switch (step) {
		case 'port': { return {...answers, port: parseInteger(text, 'Port', 1, 65_535)}; }
		case 'clients': { return {...answers, clients: parseInteger(text, 'Clients', 1, 1_000_000)}; }
		case 'duration': {
			if (text !== '') {
				parseDuration(text, 'Duration');
			}

			return {...answers, duration: text};
		}

		case 'publish': {
			// The same rules as --publish / --trigger (resolveConfig names the flag in its message).
			resolveConfig(broadcastFlags(text, answers.port));
			return {...answers, publish: text};
		}

		case 'count': { return {...answers, count: parseInteger(text, 'Messages', 1, 10_000_000)}; }
		case 'connectRate': {
			parseRate(text || shapeDefaults.connectRate, 'Connect rate');
			return {...answers, connectRate: text};
		}

		case 'churnRate': {
			parseRate(text || shapeDefaults.churnRate, 'Churn rate');
			return {...answers, churnRate: text};
		}

		case 'stormAt': {
			if (text !== '') {
				parseDuration(text, 'Storm at');
			}

			return {...answers, stormAt: text};
		}

		case 'url': {
			// resolveConfig holds the URL rules (scheme per protocol); its message names --url.
			resolveConfig({scenario: 'custom', protocol: answers.protocol, url: text});
			return {...answers, url: text};
		}

		default: { return answers; }
	}
}

/** Where the broadcast publishes, as flags: a redis:// URL is --publish, anything else --trigger. */
export function broadcastFlags(target: string, port: number): RunFlags {
	const where: RunFlags = /^rediss?:\/\//i.test(target) ? {publish: target} : {trigger: target};
	return {scenario: 'broadcast', port: String(port), ...where};
}
