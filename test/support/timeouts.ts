/**
 * Hang guards for tests that run other processes or seconds of real work. A test fails on one only when something
 * hangs: it is no speed check. They are minutes long because the suite shares a 2-core machine with other jobs, and a
 * busy machine runs a command many times slower than an idle one (a synthesis that takes 25 s idle took 198 s there).
 */

/** How long one command a test runs may take before it is killed: a hung command then fails its test with its output. */
export const COMMAND_TIMEOUT_MS = 5 * 60_000;

/**
 * The vitest timeout of a test or hook that runs commands (one after another) or seconds of real work. Longer than
 * COMMAND_TIMEOUT_MS, so that a command that hangs is killed, and its test reports it, before vitest gives up.
 */
export const SLOW_TEST_TIMEOUT_MS = 2 * COMMAND_TIMEOUT_MS;
