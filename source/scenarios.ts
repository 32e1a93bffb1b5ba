/** The presets of the old test.sh wizard, as plain data. */
export const scenarios = {
	single: {clients: 1, stats: false, description: 'one client'},
	multiple: {clients: 5, stats: false, description: 'several clients (5 unless --clients)'},
	load: {clients: 20, stats: true, description: 'load test with stats (20 clients unless --clients)'},
	custom: {clients: 1, stats: false, description: 'your own --url'},
	broadcast: {clients: 10, stats: false, description: 'publish --count updates and check every client got each one (10 clients unless --clients)'},
	hold: {clients: 100, stats: false, description: 'connect --clients (100) at --connect-rate, hold them idle for --duration: heartbeats, stale clients, memory per connection'},
	churn: {clients: 100, stats: false, description: 'keep --clients (100) connected while closing and reopening --churn-rate connections a second'},
	storm: {clients: 100, stats: false, description: 'connect --clients (100), drop them all at --storm-at (or watch for a server restart): time until they are back'},
} as const;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];
