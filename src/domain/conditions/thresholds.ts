/**
 * The thresholds condition, the default kind of alert rule (the other: crosses.ts): a symbol is HIGH strictly above `above`, LOW strictly
 * below `below`, NORMAL in between; `cross` alerts once per excursion, `every` on every tick outside the band. This
 * module is the one parser of such a rule, whoever writes it: the deployment's environment, a stored alert-rules
 * item, a rules file, the CLI, the stack's outputs. Each accepts exactly the same values and words its refusal the
 * same way, naming the field in its own terms.
 */
import { z } from 'zod';
import type { AlertRule, ConditionKind, CrossDirection, Rearm, TriggerMode } from '../types.js';
import { CROSSES_FIELDS, crossesFieldSchemas, crossesRule, describeCrossing } from './crosses.js';
import { rearmDistance } from '../window.js';
import { LIMITS, describeIssues, priceSchema, timestampSchema, type Result } from '../validation.js';

export const TRIGGER_MODES: readonly TriggerMode[] = ['cross', 'every'];

/** Whether a value read from outside (an environment variable, a stored item) is a trigger mode. */
export const isTriggerMode = (value: unknown): value is TriggerMode => (TRIGGER_MODES as readonly unknown[]).includes(value);

/** The kinds of condition a rule can be: a symbol without `kind` is on thresholds. */
export const CONDITION_KINDS = ['thresholds', 'crosses'] as const satisfies readonly ConditionKind[];

/**
 * Some of a rule's attributes, set for one symbol on top of the default rule; or, with `kind` crosses, a crosses rule
 * of its own (conditions/crosses.ts), which owes nothing to the default rule.
 */
export interface RuleOverride {
  readonly kind?: ConditionKind;
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
  readonly rearm?: Rearm;
  readonly level?: number;
  readonly direction?: CrossDirection;
  /** Expiry of either kind, as ISO-8601 UTC: runs that start later raise nothing (AlertRule.until). */
  readonly until?: string;
}

/** An override as read from where it is kept: usable, or refused by the parser (someone wrote the table by hand). */
export interface StoredOverride {
  readonly override?: RuleOverride;
  /** Why it is refused: the symbol is on the default rule meanwhile, and this is reported. */
  readonly problem?: string;
}

/** The rule's attributes, in the order people read them. */
export const THRESHOLDS_FIELDS = ['above', 'below', 'mode', 'rearm'] as const satisfies readonly (keyof AlertRule)[];
export type ThresholdsField = (typeof THRESHOLDS_FIELDS)[number];

/** Every attribute a rule override may set. */
export const RULE_FIELDS = ['kind', ...THRESHOLDS_FIELDS, ...CROSSES_FIELDS, 'until'] as const satisfies readonly (keyof RuleOverride)[];
export type RuleField = (typeof RULE_FIELDS)[number];

/** A threshold is a price: what validation accepts as a price is what a rule may compare prices with. */
const modeSchema = z.enum(TRIGGER_MODES as [TriggerMode, ...TriggerMode[]], { error: `must be one of ${TRIGGER_MODES.join(', ')}` });

const REARM_TEXT = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(%?)$/i;
const REARM_ERROR = 'must be an amount of price (0.5) or a percentage of the threshold ("0.5%"), 0 or more';

/**
 * Hysteresis, as written: an amount (a number, or its text, as an environment variable or option gives it) or a
 * percentage (`"0.5%"`, under 100). Kept as a number or as `"<number>%"` in its shortest form; 0 is no hysteresis.
 */
const rearmSchema = z.union([z.number(), z.string()], { error: REARM_ERROR }).transform((value, context): Rearm => {
  const match = typeof value === 'string' ? REARM_TEXT.exec(value.trim()) : undefined;
  const amount = typeof value === 'number' ? value : match ? Number(match[1]) : Number.NaN;
  const percent = match?.[2] === '%';
  if (!Number.isFinite(amount) || amount < 0 || amount > (percent ? 99.999 : LIMITS.maxPrice)) {
    context.addIssue({ code: 'custom', message: percent ? 'must be a percentage under 100' : REARM_ERROR });
    return z.NEVER;
  }
  return percent && amount > 0 ? `${amount}%` : amount;
});

const kindSchema = z.enum(CONDITION_KINDS, { error: `must be one of ${CONDITION_KINDS.join(', ')}` });

/** An expiry: a moment of event time as ticks give it (ISO-8601 with a time zone, or epoch ms), kept as ISO-8601 UTC. */
const untilSchema = timestampSchema.transform((value, context) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < LIMITS.minEventTime || ms > 8.64e15) {
    context.addIssue({ code: 'custom', message: 'must be on or after 2000-01-01T00:00:00Z' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** Each attribute on its own, for forms that name them differently (an environment variable, a CLI option). */
export const RULE_FIELD_SCHEMAS = {
  kind: kindSchema,
  above: priceSchema,
  below: priceSchema,
  mode: modeSchema,
  rearm: rearmSchema,
  ...crossesFieldSchemas,
  until: untilSchema,
} as const satisfies Record<RuleField, z.ZodType>;

/** The attributes of an override, every one optional: also the rule part of an alert-rules item or a rules file line. */
export const ruleOverrideShape = Object.fromEntries(RULE_FIELDS.map((field) => [field, RULE_FIELD_SCHEMAS[field].optional()])) as {
  [F in RuleField]: z.ZodOptional<(typeof RULE_FIELD_SCHEMAS)[F]>;
};

const listed = (fields: readonly string[]): string => (fields.length === 1 ? fields[0]! : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`);

/** Why an override mixes the attributes of two kinds, or undefined. */
function kindProblem(override: RuleOverride): string | undefined {
  if (override.kind === 'crosses') {
    const foreign = THRESHOLDS_FIELDS.filter((field) => override[field] !== undefined);
    return foreign.length > 0
      ? `${listed(foreign)} ${foreign.length > 1 ? 'are' : 'is'} not part of a crosses rule: it takes level and direction`
      : undefined;
  }
  const foreign = CROSSES_FIELDS.filter((field) => override[field] !== undefined);
  return foreign.length > 0 ? `${listed(foreign)} ${foreign.length > 1 ? 'belong' : 'belongs'} to a crosses rule: give kind crosses` : undefined;
}

const changeSchema = z
  .strictObject(ruleOverrideShape, { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object like {"above":152}' : undefined) })
  .refine((o) => RULE_FIELDS.some((field) => o[field] !== undefined), {
    message: `sets nothing: give ${listed(RULE_FIELDS).replace(/ and (\w+)$/, ' and/or $1')}`,
  });

const overrideSchema = changeSchema.superRefine((o, context) => {
  const problem = kindProblem(o);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const ruleSchema = z.strictObject(
  { above: priceSchema, below: priceSchema, mode: modeSchema, rearm: rearmSchema.optional() },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object like {"above":150,"below":50,"mode":"cross"}' : undefined) },
);

/** Why a rule leaves no NORMAL band (below not under above), or undefined when it has one. */
export const bandProblem = (rule: Pick<AlertRule, 'above' | 'below'>): string | undefined =>
  rule.below < rule.above ? undefined : `below (${rule.below}) must be less than above (${rule.above})`;

/**
 * Why a rule cannot be applied as a whole, or undefined: no NORMAL band, hysteresis in `every` mode (each tick alerts
 * on its own there, so nothing re-arms), or re-arm bands that meet (a price would re-arm both thresholds).
 */
export function ruleProblem(rule: AlertRule): string | undefined {
  // A crossing's thresholds are both its level.
  if (rule.crossing) return undefined;
  const band = bandProblem(rule);
  if (band || !rule.rearm) return band;
  if (rule.mode === 'every') return `rearm (${rule.rearm}) applies to mode cross only: give mode cross, or rearm 0`;
  const high = rule.above - rearmDistance(rule.above, rule.rearm);
  const low = rule.below + rearmDistance(rule.below, rule.rearm);
  return low <= high ? undefined : `rearm (${rule.rearm}) leaves no price between below (${rule.below}) and above (${rule.above}) that re-arms both`;
}

const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** An override as written (only its rule attributes: anything else is refused), every problem in one line. */
export function parseRuleOverride(value: unknown): Result<RuleOverride> {
  const parsed = overrideSchema.safeParse(value);
  return parsed.success ? { ok: true, value: withoutUndefined(parsed.data) } : { ok: false, reason: withoutRoot(describeIssues(parsed.error)) };
}

/**
 * A change to an override (`rules set`): each attribute checked as in an override, but whether they make one kind of
 * rule is for the override they are merged into (resolveRule), so `level` alone may change a crosses rule.
 */
export function parseRuleChange(value: unknown): Result<RuleOverride> {
  const parsed = changeSchema.safeParse(value);
  return parsed.success ? { ok: true, value: withoutUndefined(parsed.data) } : { ok: false, reason: withoutRoot(describeIssues(parsed.error)) };
}

/** A whole rule (a default rule, as the stack publishes it), with a NORMAL band. */
export function parseAlertRule(value: unknown): Result<AlertRule> {
  const parsed = ruleSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: withoutRoot(describeIssues(parsed.error)) };
  const { rearm, ...thresholds } = parsed.data;
  const rule: AlertRule = { ...thresholds, ...(rearm !== undefined && rearm !== 0 && { rearm }) };
  const problem = ruleProblem(rule);
  return problem ? { ok: false, reason: problem } : { ok: true, value: rule };
}

/** Problems of the value as a whole name no field. */
const withoutRoot = (reason: string): string => reason.replace(/(^|; )message: /g, '$1');

/**
 * A per-symbol override on top of the defaults. An override the parser refused when it was read (`refused` says why),
 * or one that would leave no NORMAL band, is ignored: the symbol keeps the default rule, and the problem is reported.
 */
export function resolveRule(defaults: AlertRule, override: RuleOverride | undefined, refused?: string): { rule: AlertRule; problem?: string } {
  if (refused) return { rule: defaults, problem: `rule override ignored: ${refused}` };
  const mixed = override && kindProblem(override);
  if (mixed) return { rule: defaults, problem: `rule override ignored: ${mixed}` };
  const until = override?.until === undefined ? defaults.until : Date.parse(override.until);
  const expiry = until === undefined ? {} : { until };
  if (override?.kind === 'crosses') {
    return override.level === undefined
      ? { rule: defaults, problem: 'rule override ignored: a crosses rule needs a level' }
      : { rule: { ...crossesRule(override.level, override.direction), ...expiry } };
  }
  const rearm = override?.rearm ?? defaults.rearm;
  const rule: AlertRule = {
    above: override?.above ?? defaults.above,
    below: override?.below ?? defaults.below,
    mode: override?.mode ?? defaults.mode,
    ...(rearm !== undefined && rearm !== 0 && { rearm }),
    ...expiry,
  };
  const problem = ruleProblem(rule);
  return problem ? { rule: defaults, problem: `rule override ignored: ${problem}` } : { rule };
}

/** A rule for people: `above 150, below 50, mode cross` (`, rearm 0.5%` with hysteresis). */
export const describeRule = (rule: AlertRule): string =>
  (rule.crossing
    ? describeCrossing(rule)
    : `above ${rule.above}, below ${rule.below}, mode ${rule.mode}${rule.rearm ? `, rearm ${rule.rearm}` : ''}`) +
  (rule.until === undefined ? '' : `, until ${new Date(rule.until).toISOString()}`);
