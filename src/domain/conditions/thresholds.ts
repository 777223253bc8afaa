/**
 * The thresholds condition, today's only kind of alert rule: a symbol is HIGH strictly above `above`, LOW strictly
 * below `below`, NORMAL in between; `cross` alerts once per excursion, `every` on every tick outside the band. This
 * module is the one parser of such a rule, whoever writes it: the deployment's environment, a stored alert-rules
 * item, a rules file, the CLI, the stack's outputs. Each accepts exactly the same values and words its refusal the
 * same way, naming the field in its own terms.
 */
import { z } from 'zod';
import type { AlertRule, TriggerMode } from '../types.js';
import { describeIssues, priceSchema, type Result } from '../validation.js';

export const TRIGGER_MODES: readonly TriggerMode[] = ['cross', 'every'];

/** Whether a value read from outside (an environment variable, a stored item) is a trigger mode. */
export const isTriggerMode = (value: unknown): value is TriggerMode => (TRIGGER_MODES as readonly unknown[]).includes(value);

/** Some of a rule's attributes, set for one symbol on top of the default rule. */
export interface RuleOverride {
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
}

/** An override as read from where it is kept: usable, or refused by the parser (someone wrote the table by hand). */
export interface StoredOverride {
  readonly override?: RuleOverride;
  /** Why it is refused: the symbol is on the default rule meanwhile, and this is reported. */
  readonly problem?: string;
}

/** The rule's attributes, in the order people read them. */
export const RULE_FIELDS = ['above', 'below', 'mode'] as const satisfies readonly (keyof AlertRule)[];
export type RuleField = (typeof RULE_FIELDS)[number];

/** A threshold is a price: what validation accepts as a price is what a rule may compare prices with. */
const modeSchema = z.enum(TRIGGER_MODES as [TriggerMode, ...TriggerMode[]], { error: `must be one of ${TRIGGER_MODES.join(', ')}` });

/** Each attribute on its own, for forms that name them differently (an environment variable, a CLI option). */
export const RULE_FIELD_SCHEMAS = { above: priceSchema, below: priceSchema, mode: modeSchema } as const;

/** The attributes of an override, every one optional: also the rule part of an alert-rules item or a rules file line. */
export const ruleOverrideShape = {
  above: priceSchema.optional(),
  below: priceSchema.optional(),
  mode: modeSchema.optional(),
} satisfies Record<RuleField, z.ZodType>;

const overrideSchema = z
  .strictObject(ruleOverrideShape, { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object like {"above":152}' : undefined) })
  .refine((o) => RULE_FIELDS.some((field) => o[field] !== undefined), { message: 'sets nothing: give above, below and/or mode' });

const ruleSchema = z.strictObject(
  { above: priceSchema, below: priceSchema, mode: modeSchema },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object like {"above":150,"below":50,"mode":"cross"}' : undefined) },
);

/** Why a rule leaves no NORMAL band (below not under above), or undefined when it has one. */
export const bandProblem = (rule: Pick<AlertRule, 'above' | 'below'>): string | undefined =>
  rule.below < rule.above ? undefined : `below (${rule.below}) must be less than above (${rule.above})`;

const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** An override as written (only its rule attributes: anything else is refused), every problem in one line. */
export function parseRuleOverride(value: unknown): Result<RuleOverride> {
  const parsed = overrideSchema.safeParse(value);
  return parsed.success ? { ok: true, value: withoutUndefined(parsed.data) } : { ok: false, reason: withoutRoot(describeIssues(parsed.error)) };
}

/** A whole rule (a default rule, as the stack publishes it), with a NORMAL band. */
export function parseAlertRule(value: unknown): Result<AlertRule> {
  const parsed = ruleSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: withoutRoot(describeIssues(parsed.error)) };
  const problem = bandProblem(parsed.data);
  return problem ? { ok: false, reason: problem } : { ok: true, value: parsed.data };
}

/** Problems of the value as a whole name no field. */
const withoutRoot = (reason: string): string => reason.replace(/(^|; )message: /g, '$1');

/**
 * A per-symbol override on top of the defaults. An override the parser refused when it was read (`refused` says why),
 * or one that would leave no NORMAL band, is ignored: the symbol keeps the default rule, and the problem is reported.
 */
export function resolveRule(defaults: AlertRule, override: RuleOverride | undefined, refused?: string): { rule: AlertRule; problem?: string } {
  if (refused) return { rule: defaults, problem: `rule override ignored: ${refused}` };
  const rule: AlertRule = {
    above: override?.above ?? defaults.above,
    below: override?.below ?? defaults.below,
    mode: override?.mode ?? defaults.mode,
  };
  const problem = bandProblem(rule);
  return problem ? { rule: defaults, problem: `rule override ignored: ${problem}` } : { rule };
}

/** A rule for people: `above 150, below 50, mode cross`. */
export const describeRule = (rule: AlertRule): string => `above ${rule.above}, below ${rule.below}, mode ${rule.mode}`;
