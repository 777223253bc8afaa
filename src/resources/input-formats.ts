/** The formats of the files the tools read and write: what `--format` accepts, and what an extension stands for. */
export type InputFormat = 'jsonl' | 'csv';
export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'csv'];
