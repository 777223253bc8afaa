/** Time kept back from a function's remaining time so failures are reported before Lambda's timeout. */
export const SAFETY_MARGIN_MS = 3_000;
