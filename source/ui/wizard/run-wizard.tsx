import {render} from 'ink';
import type {RunFlags} from '../../config.js';
import {colorEnabled} from '../theme.js';
import {Wizard} from './wizard.js';
import {flagsFrom} from './wizard-flags.js';
import type {WizardState} from './wizard-state.js';
import {localTarget} from './wizard-steps.js';

export type WizardResult = {
	/** exactly what `sse-tui` would parse from the equivalent argv */
	flags: RunFlags;
	/** set when nothing listened on the local target port and the user accepted the offer */
	startServer: {port: number} | undefined;
	/** the user chose the demo: run `flags` as `sse-tui demo` does (the bundled server on a free port) */
	demo?: true;
};

export type WizardOptions = {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
	probePort?: (port: number) => Promise<boolean>;
	env?: NodeJS.ProcessEnv;
};

export function wizardResult(state: WizardState): WizardResult | undefined {
	if (state.outcome !== 'done') {
		return undefined;
	}

	if (state.answers.scenario === 'demo') {
		return {flags: flagsFrom(state.answers), startServer: undefined, demo: true};
	}

	const port = localTarget(state.answers);
	return {
		flags: flagsFrom(state.answers),
		startServer: state.answers.startServer && port !== undefined ? {port} : undefined,
	};
}

/** Asks the questions in the terminal; resolves with the run to start, or undefined when the user chose exit. */
export async function runWizard({stdin, stdout, probePort, env = process.env}: WizardOptions): Promise<WizardResult | undefined> {
	let result: WizardResult | undefined;
	const instance = render(
		<Wizard
			probePort={probePort}
			color={colorEnabled(env)}
			onDone={state => {
				result = wizardResult(state);
				// Let Ink draw the final frame (the answers stay on screen) before unmounting.
				setImmediate(() => {
					instance.unmount();
				});
			}}
		/>,
		{stdin, stdout, exitOnCtrlC: false, patchConsole: false},
	);
	await instance.waitUntilExit();
	return result;
}
