/** Lengths of time in milliseconds and seconds, spelled once. */
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const DAY_SECONDS = DAY_MS / SECOND_MS;
/** A year of 365 days, as annualised rates count it. */
export const YEAR_MS = 365 * DAY_MS;

/**
 * The instants an ISO-8601 string with a four-digit year can name (1970 to the end of 9999). Alert sort keys start
 * with such a string, so times outside this range would not sort among them; the command line accepts only these.
 */
export const EARLIEST_TIME = Date.UTC(1970, 0, 1);
export const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
