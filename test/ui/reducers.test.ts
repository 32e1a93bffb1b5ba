import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {dashboardReducer, initialDashboardState, type DashboardState} from '../../source/ui/dashboard/dashboard-state.js';
import {columnIds} from '../../source/ui/dashboard/columns.js';
import {flagsFrom} from '../../source/ui/wizard/wizard-flags.js';
import {createWizardState, wizardReducer, type WizardAction, type WizardState} from '../../source/ui/wizard/wizard-state.js';
import {initialAnswers} from '../../source/ui/wizard/wizard-steps.js';
import {typedActions} from '../../source/ui/wizard/use-wizard-input.js';
import {createRows, createSnapshot} from './factories.js';

const run = (state: WizardState, ...actions: WizardAction[]) => actions.reduce(wizardReducer, state);
const enter: WizardAction = {type: 'submit'};

describe('dashboard reducer', () => {
	const limits = {total: 100, page: 10};

	test('scrolling is clamped to the table', () => {
		let state = dashboardReducer(initialDashboardState, {type: 'scroll', delta: -1, limits});
		assert.equal(state.offset, 0);
		state = dashboardReducer(state, {type: 'scroll', delta: 5, limits});
		assert.equal(state.offset, 5);
		state = dashboardReducer(state, {type: 'end', limits});
		assert.equal(state.offset, 90);
		state = dashboardReducer(state, {type: 'scroll', delta: 1, limits});
		assert.equal(state.offset, 90);
		state = dashboardReducer(state, {type: 'page', direction: -1, limits});
		assert.equal(state.offset, 81, 'a page keeps one row of context');
		state = dashboardReducer(state, {type: 'home'});
		assert.equal(state.offset, 0);
		assert.equal(dashboardReducer(initialDashboardState, {type: 'end', limits: {total: 3, page: 10}}).offset, 0);
	});

	test('s cycles through every column and back to id; counters sort descending first', () => {
		let state: DashboardState = initialDashboardState;
		const seen: string[] = [];
		for (let index = 0; index < columnIds.length; index++) {
			state = dashboardReducer(state, {type: 'cycle-sort'});
			seen.push(`${state.sort}${state.descending ? '-' : '+'}`);
		}

		assert.deepEqual(seen, ['state+', 'messages-', 'heartbeats-', 'errors-', 'reconnects-', 'lastEventId+', 'messageAge+', 'heartbeatAge+', 'latency-', 'gaps-', 'stream-', 'id+']);
	});

	test('sorting and filtering go back to the top', () => {
		const scrolled = {...initialDashboardState, offset: 40};
		assert.equal(dashboardReducer(scrolled, {type: 'reverse'}).offset, 0);
		assert.equal(dashboardReducer(scrolled, {type: 'toggle-filter'}).filter, 'problems');
		assert.equal(dashboardReducer(scrolled, {type: 'toggle-filter'}).offset, 0);
	});

	test('pause keeps the frame it is given; a second p drops it', () => {
		const frozen = {snapshot: createSnapshot(), rows: createRows(2)};
		const paused = dashboardReducer(initialDashboardState, {type: 'toggle-pause', frozen});
		assert.equal(paused.frozen, frozen);
		assert.equal(dashboardReducer(paused, {type: 'toggle-pause', frozen}).frozen, undefined);
	});

	test('stop closes the help and marks the run as stopping', () => {
		const state = dashboardReducer({...initialDashboardState, help: true}, {type: 'stop'});
		assert.deepEqual([state.help, state.stopping], [false, true]);
	});
});

describe('wizard reducer', () => {
	test('starts on the port with the defaults', () => {
		const state = createWizardState();
		assert.equal(state.step, 'port');
		assert.deepEqual(state.answers, initialAnswers);
	});

	test('typing filters control characters; erase removes one character', () => {
		const state = run(createWizardState(), {type: 'type', text: '30\u0007'}, {type: 'type', text: '01'}, {type: 'erase'});
		assert.equal(state.input, '300');
	});

	test('an invalid answer stays on the step with the reason; typing clears it', () => {
		let state = run(createWizardState(), {type: 'type', text: 'x'}, enter);
		assert.equal(state.step, 'port');
		assert.match(state.error!, /Port must be a whole number/);
		state = wizardReducer(state, {type: 'erase'});
		assert.equal(state.error, undefined);
	});

	test('the load path: port, protocol, level, scenario, clients, duration, probe', () => {
		const state = run(createWizardState(), enter, {type: 'probed', listening: true}, enter, enter, {type: 'move', delta: 2}, enter, {type: 'type', text: '50'}, enter, {type: 'type', text: '30s'}, enter);
		assert.equal(state.step, 'probe');
		assert.deepEqual(state.history, ['port', 'portProbe', 'protocol', 'logLevel', 'scenario', 'clients', 'duration']);
		const done = wizardReducer(state, {type: 'probed', listening: true});
		assert.equal(done.outcome, 'done');
		assert.deepEqual(flagsFrom(done.answers), {protocol: 'sse', logLevel: 'info', scenario: 'load', port: '3000', clients: '50', duration: '30s'});
	});

	test('select steps wrap around', () => {
		const state = run(createWizardState(), enter, {type: 'probed', listening: true}, {type: 'move', delta: -1});
		assert.equal(state.cursor, 1);
	});

	test('the port is probed when answered: nothing there puts the demo first and on the cursor, and it ends the wizard', () => {
		const probing = run(createWizardState(), enter);
		assert.equal(probing.step, 'portProbe');
		assert.equal(wizardReducer(probing, enter), probing, 'Enter waits for the probe');
		const atScenario = run(probing, {type: 'probed', listening: false}, enter, enter);
		assert.equal(atScenario.step, 'scenario');
		assert.deepEqual([atScenario.cursor, atScenario.answers.scenario, atScenario.answers.portFree], [0, 'demo', true]);
		const done = run(atScenario, enter);
		assert.equal(done.outcome, 'done');
		assert.deepEqual(flagsFrom(done.answers), {protocol: 'sse', logLevel: 'info'});
		assert.equal(run(atScenario, {type: 'move', delta: 1}, enter).step, 'duration', 'one down is the single client, as before');
	});

	test('going back to the port and answering one that listens takes the demo away', () => {
		const free = run(createWizardState(), enter, {type: 'probed', listening: false});
		assert.equal(free.step, 'protocol');
		const back = wizardReducer(free, {type: 'back'});
		assert.equal(back.step, 'port', 'Esc skips the probe');
		const listening = run(back, {type: 'type', text: '3001'}, enter, {type: 'probed', listening: true}, enter, enter);
		assert.deepEqual([listening.step, listening.cursor, listening.answers.scenario, listening.answers.portFree], ['scenario', 0, 'single', false]);
	});

	test('y/n only answer yes-no steps; the probe result is ignored elsewhere', () => {
		const state = createWizardState();
		assert.equal(wizardReducer(state, {type: 'answer', yes: true}), state);
		assert.equal(wizardReducer(state, {type: 'probed', listening: false}), state);
	});

	test('nothing changes once finished', () => {
		const state = wizardReducer(createWizardState(), {type: 'cancel'});
		assert.equal(state.outcome, 'exit');
		assert.equal(wizardReducer(state, enter), state);
	});
});

describe('wizard input chunks', () => {
	test('splits a chunk into typed text, Enter and Backspace, dropping other control bytes', () => {
		assert.deepEqual(typedActions('3001\r'), [{type: 'type', text: '3001'}, {type: 'submit'}]);
		assert.deepEqual(typedActions('ab\u007F\bc\u0001\n'), [{type: 'type', text: 'ab'}, {type: 'erase'}, {type: 'erase'}, {type: 'type', text: 'c'}, {type: 'submit'}]);
		assert.deepEqual(typedActions('x'), [{type: 'type', text: 'x'}]);
	});
});
