/**
 * React and react-reconciler pick their development or production build from NODE_ENV when
 * they are first evaluated; the development build costs 2-2.4x the CPU per frame
 * (../shared/MEASURED.md). Imported first by ./index.ts, so it runs before ink and react are
 * evaluated, as long as nothing earlier in the import graph loaded react. An explicit
 * NODE_ENV (development, test) is respected.
 */
process.env['NODE_ENV'] ??= 'production';

export {};
