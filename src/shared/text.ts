/** `1 alert`, `3 alerts`: a count with its noun, plural unless it is one. */
export const plural = (n: number, singular: string, pluralForm = `${singular}s`): string => `${n} ${n === 1 ? singular : pluralForm}`;
