import { Lazy, type IResolveContext } from 'cdktn';
import { policyDocument, type PolicyStatement } from './policy.js';

/**
 * A policy document that collects statements while the stack is built and renders at synth time, so that a policy
 * can be completed by the constructs that later grant access: the one lazy rendering behind role, queue, topic and
 * key policies. A statement granted twice renders once; a statement id used by more than one statement gets a
 * number (AllowServiceSend, AllowServiceSend2), since IAM rejects a policy that repeats one.
 */
export class LazyPolicy {
  private readonly statements: PolicyStatement[];
  /** The JSON document, as a token resolved at synth time. */
  readonly document: string;

  /** @param rendered statements computed when the document renders, after those added (e.g. merged key actions). */
  constructor(initial: readonly PolicyStatement[] = [], rendered: () => readonly PolicyStatement[] = () => []) {
    this.statements = [...initial];
    this.document = Lazy.stringValue({
      produce: (context) => policyDocument(numberedSids(distinct([...this.statements, ...rendered()], context))),
    });
  }

  add(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }
}

/** Statements without repeats, compared resolved: each read of a resource attribute is a new token. */
function distinct(statements: readonly PolicyStatement[], context: IResolveContext): PolicyStatement[] {
  const seen = new Set<string>();
  return statements.filter((s) => {
    const resources = [...(context.resolve(s.resources ?? []) as string[])].sort();
    const key = JSON.stringify([s.sid, s.effect, s.principal, [...s.actions].sort(), resources, context.resolve(s.conditions)]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A statement whose id an earlier one has taken gets the id with the first free number from 2. */
function numberedSids(statements: readonly PolicyStatement[]): PolicyStatement[] {
  const taken = new Set<string>();
  return statements.map((s) => {
    if (!s.sid) return s;
    let sid = s.sid;
    for (let n = 2; taken.has(sid); n++) sid = `${s.sid}${n}`;
    taken.add(sid);
    return { ...s, sid };
  });
}
