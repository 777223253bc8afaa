/**
 * The registry of condition kinds (thresholds.ts, crosses.ts) and modifiers (expiry.ts): the one parser of an alert
 * rule, whoever writes it: the deployment's environment, a stored alert-rules item, a rules file, the CLI, the stack's
 * outputs. Each accepts exactly the same values and words its refusal the same way, naming the field in its own terms.
 * A kind is its module and a line in CONDITION_KINDS, RULE_FIELD_SCHEMAS, kindProblem and resolveRule.
 */
import { z } from 'zod';
import type { AlertRule, ChannelEvent, ConditionKind, CrossDirection, Rearm, TriggerMode } from '../types.js';
import { rearmDistance } from '../window.js';
import { describeIssues, type Result } from '../validation.js';
import { CHANNEL_EVENTS, CHANNEL_FIELDS, channelFieldSchemas, describeChannel } from './channel.js';
import { CROSSES_FIELDS, crossesFieldSchemas, crossesRule, describeCrossing } from './crosses.js';
import { describeExpiry, untilSchema } from './expiry.js';
import { THRESHOLDS_FIELDS, bandProblem, describeThresholds, rearmSchema, thresholdsFieldSchemas } from './thresholds.js';

/** The kinds of condition a rule can be: a symbol without `kind` is on thresholds. */
export const CONDITION_KINDS = ['thresholds', 'crosses', 'channel'] as const satisfies readonly ConditionKind[];

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
  readonly on?: ChannelEvent;
  /** Expiry of either kind, as ISO-8601 UTC: runs that start later raise nothing (AlertRule.until). */
  readonly until?: string;
}

/** An override as read from where it is kept: usable, or refused by the parser (someone wrote the table by hand). */
export interface StoredOverride {
  readonly override?: RuleOverride;
  /** Why it is refused: the symbol is on the default rule meanwhile, and this is reported. */
  readonly problem?: string;
}

/** Every attribute a rule override may set. */
export const RULE_FIELDS = [
  'kind',
  ...THRESHOLDS_FIELDS,
  ...CROSSES_FIELDS,
  ...CHANNEL_FIELDS,
  'until',
] as const satisfies readonly (keyof RuleOverride)[];
export type RuleField = (typeof RULE_FIELDS)[number];

const kindSchema = z.enum(CONDITION_KINDS, { error: `must be one of ${CONDITION_KINDS.join(', ')}` });

/** Each attribute on its own, for forms that name them differently (an environment variable, a CLI option). */
export const RULE_FIELD_SCHEMAS = {
  kind: kindSchema,
  ...thresholdsFieldSchemas,
  ...crossesFieldSchemas,
  ...channelFieldSchemas,
  until: untilSchema,
} as const satisfies Record<RuleField, z.ZodType>;

/** The attributes of an override, every one optional: also the rule part of an alert-rules item or a rules file line. */
export const ruleOverrideShape = Object.fromEntries(RULE_FIELDS.map((field) => [field, RULE_FIELD_SCHEMAS[field].optional()])) as {
  [F in RuleField]: z.ZodOptional<(typeof RULE_FIELD_SCHEMAS)[F]>;
};

const listed = (fields: readonly string[]): string => (fields.length === 1 ? fields[0]! : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`);

/** The attributes each kind takes besides `kind` and `until`. */
const FIELDS_OF: Readonly<Record<ConditionKind, readonly RuleField[]>> = {
  thresholds: THRESHOLDS_FIELDS,
  crosses: CROSSES_FIELDS,
  channel: ['above', 'below', 'rearm', ...CHANNEL_FIELDS],
};

/** Why an override mixes the attributes of two kinds, or undefined. */
function kindProblem(override: RuleOverride): string | undefined {
  const kind = override.kind ?? 'thresholds';
  const foreign = RULE_FIELDS.filter(
    (field) => field !== 'kind' && field !== 'until' && override[field] !== undefined && !FIELDS_OF[kind].includes(field),
  );
  if (foreign.length === 0) return undefined;
  const verb = foreign.length > 1 ? 'are' : 'is';
  if (override.kind === undefined) {
    const owner = CONDITION_KINDS.find((k) => foreign.every((field) => FIELDS_OF[k].includes(field)));
    return `${listed(foreign)} ${foreign.length > 1 ? 'belong' : 'belongs'} to a ${owner ?? 'crosses or channel'} rule: give kind ${owner ?? 'crosses or channel'}`;
  }
  return `${listed(foreign)} ${verb} not part of a ${kind} rule: it takes ${listed(FIELDS_OF[kind])}`;
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
  { ...thresholdsFieldSchemas, rearm: rearmSchema.optional() },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object like {"above":150,"below":50,"mode":"cross"}' : undefined) },
);

/**
 * Why a rule cannot be applied as a whole, or undefined: no NORMAL band, hysteresis in `every` mode (each tick alerts
 * on its own there, so nothing re-arms), or re-arm bands that meet (a price would re-arm both thresholds).
 */
export function ruleProblem(rule: AlertRule): string | undefined {
  // A crossing's thresholds are both its level.
  if (rule.crossing) return undefined;
  const band = bandProblem(rule);
  if (band || !rule.rearm) return band;
  // A price in a re-arm band continues the run before it, so a late tick could turn a run in the channel that has
  // alerted into part of a run out of it: only runs out of it (which no late tick can take away) may have hysteresis.
  if (rule.channel && rule.channel !== 'outside')
    return `rearm (${rule.rearm}) applies to a channel on outside only: a late tick could take back what a re-armed channel ${rule.channel === 'exiting' ? 'exit' : 'stretch in it'} raised`;
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
  if (!override) return { rule: defaults };
  const mixed = kindProblem(override);
  if (mixed) return { rule: defaults, problem: `rule override ignored: ${mixed}` };
  const until = override.until === undefined ? defaults.until : Date.parse(override.until);
  const expiry = until === undefined ? {} : { until };
  if (override.kind === 'crosses') {
    return override.level === undefined
      ? { rule: defaults, problem: 'rule override ignored: a crosses rule needs a level' }
      : { rule: { ...crossesRule(override.level, override.direction), ...expiry } };
  }
  if (override.kind === 'channel' && override.on === undefined)
    return { rule: defaults, problem: `rule override ignored: a channel rule needs on (${CHANNEL_EVENTS.join(', ')})` };
  const rearm = override.rearm ?? defaults.rearm;
  const rule: AlertRule = {
    above: override.above ?? defaults.above,
    below: override.below ?? defaults.below,
    // A channel alerts on runs: its mode is cross.
    mode: override.kind === 'channel' ? 'cross' : (override.mode ?? defaults.mode),
    ...(rearm !== undefined && rearm !== 0 && { rearm }),
    ...(override.kind === 'channel' && { channel: override.on }),
    ...expiry,
  };
  const problem = ruleProblem(rule);
  return problem ? { rule: defaults, problem: `rule override ignored: ${problem}` } : { rule };
}

/** A rule for people: `above 150, below 50, mode cross`, `crosses 150, direction up, until …`. */
export const describeRule = (rule: AlertRule): string =>
  (rule.crossing ? describeCrossing(rule) : rule.channel ? describeChannel(rule) : describeThresholds(rule)) + describeExpiry(rule);
