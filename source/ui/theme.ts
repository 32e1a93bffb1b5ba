/** https://no-color.org: a NO_COLOR that is present and not empty turns every colour off. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	const value = env['NO_COLOR'];
	return value === undefined || value === '';
}
