/** The presets of the old test.sh wizard, as plain data. */
export const scenarios = {
	single: {clients: 1, stats: false, description: 'one client'},
	multiple: {clients: 5, stats: false, description: 'several clients (5 unless --clients)'},
	load: {clients: 20, stats: true, description: 'load test with stats (20 clients unless --clients)'},
	custom: {clients: 1, stats: false, description: 'your own --url'},
	broadcast: {clients: 10, stats: false, description: 'publish --count updates and check every client got each one (10 clients unless --clients)'},
} as const;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];
