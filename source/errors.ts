/**
 * The two ways a command can fail on purpose. Each carries its exit code, and its message
 * is one line that names the fix, so the CLI can print it without a stack trace.
 */
export class UsageError extends Error {
	readonly exitCode = 2;
	override name = 'UsageError';
}

export class RunError extends Error {
	readonly exitCode = 1;
	override name = 'RunError';
}

export function isExpectedError(error: unknown): error is UsageError | RunError {
	return error instanceof UsageError || error instanceof RunError;
}
