import {Box, Text} from 'ink';
import {useEffect, useReducer} from 'react';
import {probePort as realProbe} from '../probe-port.js';
import {createWizardState, wizardReducer, type WizardState} from './wizard-state.js';
import {
	builtUrl, choicesFor, localTarget, logLevelChoices, protocolChoices, scenarioChoicesFor, shapeDefaults, stepKind, textDefault,
	type Answers, type StepId,
} from './wizard-steps.js';
import {useWizardInput} from './use-wizard-input.js';
import {redactUrl} from '../../redact.js';

export type WizardProps = {
	/** called once with the final state (outcome 'done' or 'exit') */
	onDone(state: WizardState): void;
	probePort?: (port: number) => Promise<boolean>;
	color?: boolean;
};

const questions: Record<StepId, string> = {
	port: 'Port',
	portProbe: 'Checking the port',
	protocol: 'Protocol',
	logLevel: 'Log level',
	scenario: 'Scenario',
	url: 'URL',
	clients: 'Clients',
	publish: 'Publish via (redis:// or trigger URL)',
	count: 'Messages to publish',
	connectRate: 'Connect rate (connections per second, e.g. 200/s)',
	churnRate: 'Churn rate (connections closed and reopened per second)',
	stormAt: 'Drop every connection after (e.g. 30s; empty: watch for a server restart)',
	stats: 'Print a stats line every 10s?',
	duration: 'Duration (1500ms, 30s, 5m, 1h; empty: until q)',
	probe: 'Checking the port',
	server: 'Start the bundled reference server',
};

function label<T>(choices: ReadonlyArray<{value: T; label: string}>, value: T): string {
	return choices.find(choice => choice.value === value)?.label ?? String(value);
}

/** One line per question already answered, as "Port: 3000". */
function answered(step: StepId, answers: Answers): string | undefined {
	switch (step) {
		case 'port': { return `Port: ${answers.port}`; }
		case 'protocol': { return `Protocol: ${label(protocolChoices, answers.protocol)}`; }
		case 'logLevel': { return `Log level: ${label(logLevelChoices, answers.logLevel)}`; }
		case 'scenario': { return `Scenario: ${label(scenarioChoicesFor(answers), answers.scenario)}`; }
		case 'url': { return `URL: ${answers.url}`; }
		case 'clients': { return `Clients: ${answers.clients}`; }
		case 'publish': { return `Publish through: ${redactUrl(answers.publish)}`; }
		case 'count': { return `Messages: ${answers.count}`; }
		case 'connectRate': { return `Connect rate: ${answers.connectRate || shapeDefaults.connectRate}`; }
		case 'churnRate': { return `Churn rate: ${answers.churnRate || shapeDefaults.churnRate}`; }
		case 'stormAt': { return `Storm: ${answers.stormAt === '' ? 'when the server restarts' : `at ${answers.stormAt}`}`; }
		case 'stats': { return `Stats: ${answers.stats ? 'yes' : 'no'}`; }
		case 'duration': { return `Duration: ${answers.duration === '' ? 'until q' : answers.duration}`; }
		case 'server': { return `Start the reference server: ${answers.startServer ? 'yes' : 'no'}`; }
		case 'portProbe':
		case 'probe': { return undefined; }
	}
}

/** The wizard that replaces test.sh: a reducer (wizard-state.ts), an input hook, and this view. */
export function Wizard({onDone, probePort = realProbe, color = true}: WizardProps) {
	const [state, dispatch] = useReducer(wizardReducer, undefined, createWizardState);
	useWizardInput(state, dispatch);
	const paint = (name: string) => (color ? name : undefined);
	// The port question is probed at once (the demo offer), the run's target at the end (the server offer).
	const target = state.step === 'portProbe' ? state.answers.port : localTarget(state.answers);

	useEffect(() => {
		if ((state.step !== 'probe' && state.step !== 'portProbe') || state.outcome !== undefined || target === undefined) {
			return;
		}

		let current = true;
		void probePort(target).then(listening => {
			if (current) {
				dispatch({type: 'probed', listening});
			}
		}, () => {
			if (current) {
				dispatch({type: 'probed', listening: false});
			}
		});
		return () => {
			current = false;
		};
	}, [state.step, state.outcome, target, probePort]);

	useEffect(() => {
		if (state.outcome !== undefined) {
			onDone(state);
		}
	}, [state.outcome]); // eslint-disable-line react-hooks/exhaustive-deps

	const kind = stepKind(state.step);
	const done = state.outcome !== undefined;
	return (
		<Box flexDirection="column">
			<Text bold>sse-tui setup <Text dimColor={color}>(Enter accepts the default, Esc goes back, Ctrl-C quits)</Text></Text>
			{state.history.map(step => answered(step, state.answers)).filter(line => line !== undefined).map(line => (
				<Text key={line} color={paint('green')}>{`✔ ${line}`}</Text>
			))}
			{done ? (state.outcome === 'exit' ? <Text>Bye.</Text> : <Text color={paint('green')}>{`✔ ${answered(state.step, state.answers) ?? 'Ready'}`}</Text>) : null}
			{!done && kind === 'text' ? (
				<Text>
					<Text color={paint('cyan')}>? </Text>
					{`${questions[state.step]}${textDefault(state.step, state.answers) ? ` (default ${textDefault(state.step, state.answers)})` : ''}: `}
					{state.input}
					<Text inverse={color}>{color ? ' ' : '_'}</Text>
				</Text>
			) : null}
			{!done && state.step === 'scenario' && state.answers.portFree ? (
				<Text color={paint('yellow')}>{`Nothing listens on localhost:${state.answers.port} yet: try the demo, or set up a test (the bundled server can be started for it at the end).`}</Text>
			) : null}
			{!done && kind === 'select' ? (
				<>
					<Text><Text color={paint('cyan')}>? </Text>{`${questions[state.step]} (↑/↓, Enter)`}</Text>
					{choicesFor(state.step, state.answers).map((choice, index) => (
						<Text key={choice.value} color={index === state.cursor ? paint('cyan') : undefined}>
							{`${index === state.cursor ? '❯' : ' '} ${choice.label}`}
						</Text>
					))}
				</>
			) : null}
			{!done && state.step === 'stats' ? (
				<Text><Text color={paint('cyan')}>? </Text>{`${questions.stats} (y/N) `}</Text>
			) : null}
			{!done && (state.step === 'probe' || state.step === 'portProbe') ? (
				<Text dimColor={color}>{`… checking whether anything listens on localhost:${target ?? '?'}`}</Text>
			) : null}
			{!done && state.step === 'server' ? (
				<>
					<Text color={paint('yellow')}>{`Nothing listens on localhost:${target ?? '?'} (${state.answers.scenario === 'custom' ? state.answers.url : builtUrl(state.answers)}).`}</Text>
					<Text><Text color={paint('cyan')}>? </Text>{`Start the bundled reference server on port ${target ?? '?'}? (Y/n) `}</Text>
				</>
			) : null}
			{state.error ? <Text color={paint('red')}>{`✖ ${state.error}`}</Text> : null}
		</Box>
	);
}
