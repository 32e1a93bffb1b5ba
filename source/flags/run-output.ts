import {section} from './types.js';

/** `sse-tui` flags: output, the CI verdict, the config file. */

export const output = section('Output', 'output', [
	{name: 'stats', type: 'boolean', default: 'off (on for `load`)', help: 'print a stats line every --stats-interval'},
	{name: 'statsInterval', arg: 'D', default: '`10s`', help: 'how often --stats prints'},
	{name: 'logLevel', arg: 'LEVEL', kind: '`error`, `warn`, `info`, `debug`', default: '`info`', env: 'LOG_LEVEL', help: 'error | warn | info | debug',
		details: '`warn`: client errors; `info`: + open/close/reconnect; `debug`: + every event and comment'},
	{name: 'debug', type: 'boolean', help: 'same as --log-level debug'},
	{name: 'tui', type: 'boolean', label: '--no-tui', default: 'the dashboard in a terminal', help: 'plain text instead of the live dashboard (automatic when stdout is not a terminal)',
		details: 'plain text output (also whenever stdout is not a terminal); `"tui": false` in a config file'},
	{name: 'json', type: 'boolean', help: 'print one JSON summary on stdout at the end; logs go to stderr',
		details: 'print exactly one JSON summary on stdout at the end; everything else goes to stderr'},
	{name: 'events', arg: 'FILE|-', kind: 'path or `-`', help: 'NDJSON log of every event, comment, open, error, close, reconnect',
		details: 'NDJSON log of every thing each client saw; `-` is stdout (text then moves to stderr; not with `--json`)'},
	{name: 'report', arg: 'FILE', help: 'write a self-contained HTML report (charts, thresholds, every client) at the end',
		details: 'write a self-contained HTML report at the end ([--report](#--report-file-html-report))'},
	{name: 'help', type: 'boolean', cliOnly: true, shortFlag: 'h', help: 'show this help (also -h)'},
	{name: 'version', type: 'boolean', cliOnly: true, help: 'print the version'},
]);

export const verdict = section('Verdict (CI)', 'verdict', [
	{name: 'threshold', arg: 'EXPR', multiple: true, kind: '`METRIC OP VALUE`, repeatable', help: 'METRIC OP VALUE that must hold at the end, or exit 1; repeatable. OP: < <= > >= ==',
		more: [
			'in %:    connected delivery completed (request streams that ended completed)',
			'counts:  gaps duplicates resets errors errors.KIND reconnects stale agents_lost',
			'ms or s: {latency,fanout,connect,reconnect,ttfe,stream}.{p50,p90,p99,p999,max}; p50 ... max alone: latency',
			'per s:   msgs_per_s',
			'with --target: NAME:METRIC OP VALUE judges one target; without NAME, each target',
		],
		details: 'a CI verdict: the run exits 1 unless it holds at the end, e.g. `\'p99<250ms\'`, `\'delivery>=100%\'` ([Thresholds](#thresholds-verdicts-for-ci)); an array in a config file'},
	{name: 'abortOnFail', type: 'boolean', help: 'stop as soon as a threshold can no longer pass (a counter past its limit)',
		details: 'stop the run (`stoppedBy: "threshold"`) as soon as a threshold can no longer pass; needs `--threshold`'},
]);

export const configFile = section('Config file', 'config', [
	{name: 'config', arg: 'FILE', cliOnly: true, default: '`sse-tui.config.json` if the working directory has one',
		help: 'read run flags, named scenarios and thresholds from this JSON file; --no-config reads none',
		details: 'read run flags, named scenarios and thresholds from this JSON file ([Config file](#config-file---config)); `--no-config` ignores `./sse-tui.config.json`'},
	{name: 'printConfig', type: 'boolean', cliOnly: true, help: 'print the resolved settings as JSON (secrets as ***) and exit without running'},
], ['Precedence: the command line, then the config file (its scenario over its top level), then the environment, then defaults.']);
