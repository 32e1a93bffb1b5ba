/**
 * The environment Ink and React must see before they are first evaluated; imported first by
 * ./index.ts and by the dashboard thread, so it runs before ink and react are, as long as
 * nothing earlier in the import graph loaded them.
 *
 * - React and react-reconciler pick their development or production build from NODE_ENV; the
 *   development build costs 2-2.4x the CPU per frame (../shared/MEASURED.md). An explicit
 *   NODE_ENV (development, test) is respected.
 * - Ink draws nothing but the last frame when CI or CONTINUOUS_INTEGRATION is set (is-in-ci).
 *   The UI is loaded only once sse-tui has seen a terminal on stdin and stdout, so a CI variable
 *   inherited into an interactive shell must not blank the wizard and the dashboard.
 */
process.env['NODE_ENV'] ??= 'production';
delete process.env['CI'];
delete process.env['CONTINUOUS_INTEGRATION'];

export {};
