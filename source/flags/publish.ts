import {section, type Command, type FlagValues} from './types.js';

/** `sse-tui publish`: its flags. Add a flag as one entry here (see types.ts). */

const options = section('Options', 'options', [
	{name: 'redis', arg: 'URL', env: 'REDIS_URL', default: '`redis://127.0.0.1:6379`', help: 'Redis to publish on'},
	{name: 'channel', arg: 'NAME', kind: 'name', default: '`dashboard_updates`', help: 'channel (Rails cable adapter: PREFIX:NAME)',
		details: 'channel; for a Rails cable adapter use `PREFIX:dashboard_updates`'},
	{name: 'count', arg: 'N', kind: '1–10,000,000', default: '`1`', help: 'how many messages'},
	{name: 'rate', arg: 'R[/s]', kind: 'number, `R` or `R/s`', default: '`0` (no limit)', help: 'messages per second (0 = as fast as possible)'},
	{name: 'pad', arg: 'BYTES', kind: 'size', default: '`0`', help: 'add a "pad" of this many x\'s to each test update'},
	{name: 'run', arg: 'ID', kind: '1–64 of `A-Z a-z 0-9 _ -`', help: 'add "run": ID to each test update, so a load run can count its own',
		more: ['(1-64 of A-Z a-z 0-9 _ -); with --http, sent to the trigger'],
		details: 'add `"run": ID` to each test update, so a load run can count its own; with `--http`, sent as the trigger\'s `run` (and `seq`)'},
	{name: 'http', arg: 'URL', help: 'POST to a trigger endpoint instead of Redis, e.g. http://127.0.0.1:3001/dashboard/trigger-test',
		details: 'POST to a trigger endpoint instead of Redis (a bare host gets `/dashboard/trigger-test`)'},
	{name: 'token', arg: 'T', env: 'SSE_TUI_TOKEN', secret: true, help: 'with --http: "Authorization: Bearer T" for a server started with --token',
		more: ['(a 429 is retried after its Retry-After)'],
		details: 'with `--http`: `Authorization: Bearer T` for a server started with `--token`; a 429 is retried after its `Retry-After`'},
	{name: 'timeout', arg: 'D', default: '`5s`', help: 'connect (and HTTP response) timeout'},
	{name: 'help', type: 'boolean', cliOnly: true, shortFlag: 'h', help: 'show this help'},
], [
	'JSON                   publish this exact message instead of test updates (--count times);',
	'                       it must be valid JSON: quote it for the shell',
	'',
	'Each line says how many subscribers received a publish; over 10 messages only the',
	'summary is printed (total, min and max per publish). Exit codes: 0 published,',
	'1 Redis or the endpoint could not be reached (or failed), 2 usage error.',
]);

export const publishSections = [options] as const;

export type PublishFlags = FlagValues<typeof publishSections>;

export const publishCommand: Command = {
	name: 'sse-tui publish',
	id: 'publish',
	usage: ['$ sse-tui publish [options] [JSON]'],
	intro: [
		'Publishes test updates (Rails\' TestPubsubJob shape, with "seq" and "sent_at"), or the',
		'JSON you give, on a Redis channel, and prints how many subscribers Redis reported for',
		'each publish: with "sse-tui serve --redis", one per server instance. With --http it sends',
		'them through a server\'s trigger endpoint instead.',
	],
	sections: publishSections,
	examples: [
		{task: 'One test update on the local Redis; a thousand, paced and padded; tagged for a load run', commands: [
			'sse-tui publish',
			'sse-tui publish --count 1000 --rate 200 --pad 1KiB',
			'sse-tui publish --count 100 --run load-42',
		]},
		{task: 'Your own message; another Redis and a Rails channel; through a trigger endpoint', commands: [
			'sse-tui publish \'{"type":"announcement","message":"hello"}\'',
			'sse-tui publish --redis redis://:secret@cache:6379/0 --channel dashboard_production:dashboard_updates',
			'sse-tui publish --http http://127.0.0.1:3001/dashboard/trigger-test --count 100',
		]},
	],
};
