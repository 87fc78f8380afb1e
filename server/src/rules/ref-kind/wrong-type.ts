import type { CallOp } from '../../c/cfg';
import { posOf, replaceNode } from '../../c/facts';
import type { FirstArgType } from '../../catalog';
import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { isPrimitive } from '../common/report';
import { factsOf } from '../../analysis/unit';

/**
 * A page API called on a folio, a folio API on a page, the page-taking unmap
 * given the mapped address, or an address-taking unmap given the page.
 *
 * The argument's type is its declaration in the function (a parameter or a
 * local the text shows); an argument whose declaration is not in sight, a
 * cast, or an expression is not judged. The expected type is the catalog's
 * (the v6.19 prototypes).
 */
type Shape = 'page' | 'folio' | 'address';

const QUALIFIERS = /\b(?:const|volatile|__maybe_unused|__always_unused|__rcu|__user|__iomem|__force|__free\(\w*\))\s*/g;

/** What a declared type says the variable holds, when it is one of the shapes. */
export function shapeOfDeclared(type: string): Shape | undefined {
  const t = type.replace(QUALIFIERS, '').replace(/\s+/g, ' ').trim();
  if (!t.includes('*')) return undefined;
  if (/^struct folio\b/.test(t)) return 'folio';
  if (/^struct page\b/.test(t)) return 'page';
  // one level of pointer to a byte or void: a kernel virtual address
  if (/^(?:void|char|unsigned char|u8|__u8|uint8_t) ?\*$/.test(t)) return 'address';
  return undefined;
}

function expectedShape(t: FirstArgType): Shape {
  return t === 'struct folio *' ? 'folio' : t === 'struct page *' ? 'page' : 'address';
}

const NOUN: Record<Shape, string> = { page: 'a struct page *', folio: 'a struct folio *', address: 'an address (void *)' };

/** The call that gave `v` its value in this function (`v = kmap_local_page(page)`), when it is catalogued with a pairing release. */
function producerOf(unit: Unit, ctx: RuleContext, v: string): CallOp | undefined {
  for (const n of unit.cfg.nodes)
    for (const o of n.ops) {
      if (o.kind !== 'call' || o.result.kind !== 'assigned' || o.result.to !== v) continue;
      if (ctx.catalog.api(o.name)?.pairsWith?.length) return o;
    }
  return undefined;
}

function wrongType(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const cat = ctx.catalog;
  const types = factsOf(unit, cat).types;
  const out: RawFinding[] = [];
  for (const n of unit.cfg.nodes)
    for (const op of n.ops) {
      if (op.kind !== 'call' || op.indirect || !op.args.length) continue;
      const want = cat.firstArgType(op.name);
      if (!want) continue;
      const arg = op.args[0].text.trim();
      if (!/^[A-Za-z_]\w*$/.test(arg)) continue;
      const declared = types.get(arg);
      const got = declared === undefined ? undefined : shapeOfDeclared(declared);
      const expected = expectedShape(want);
      if (!got || got === expected) continue;
      let instead: string | undefined;
      let fixText: string | undefined;
      let consequence: string;
      if (expected === 'address' || got === 'address') {
        // the mapping's own pairing release, from the call that produced the address
        const prod = got === 'address' ? producerOf(unit, ctx, arg) : undefined;
        // A void * handed to a page call is often an opaque pointer to a page or folio (mempool elements,
        // callback arguments): only an address the text shows coming from a mapping call is judged.
        if (got === 'address' && !prod?.name) continue;
        instead = prod?.name ? cat.api(prod.name)!.pairsWith!.find((p) => cat.firstArgType(p) === 'address') : undefined;
        consequence =
          expected === 'address'
            ? `${op.name}() takes the address the mapping returned, and refuses a struct page * at build time (BUILD_BUG_ON)`
            : `a void * converts silently, so this builds, but ${op.name}() treats the address as a struct page: the mapping ${prod ? `${prod.name}() made ` : ''}is never undone and an unrelated page is "unmapped"`;
        if (instead) fixText = instead;
      } else {
        instead = cat.otherTypeForm(op.name);
        consequence = `the kernel builds with -Werror=incompatible-pointer-types (scripts/Makefile.warn, v6.19), so this does not compile`;
        if (instead && cat.firstArgType(instead) && expectedShape(cat.firstArgType(instead)!) === got) fixText = instead;
        else instead = undefined;
      }
      const edit = fixText ? replaceNode(op.calleeNode, fixText) : null;
      out.push({
        rule: 'ref-kind/wrong-type',
        message: `${op.name}() takes ${NOUN[expected]}, but \`${arg}\` is declared \`${declared!.trim()}\`: ${consequence}${instead ? `; use ${instead}(${arg})` : ''}.`,
        at: posOf(op, op.node),
        scenarioParams: { function: unit.cfg.name, object: arg, acquire: '', release: op.name },
        fixes: edit ? [{ title: `Use ${fixText}()`, edits: [edit] }] : undefined,
        trace: {
          family: 'double-release',
          events: [],
          roles: {},
          unbound: `a call given the wrong type of object is not a race between CPUs: ${expected === 'address' || got !== 'address' ? 'the build rejects it' : 'one CPU unmaps something it did not map'}`,
        },
        fingerprint: `ref-kind/wrong-type|${op.name}|${got}|${arg}`,
      });
    }
  return out;
}

export const wrongTypeRule: Rule = {
  id: 'ref-kind/wrong-type',
  category: 'ref-kind',
  severity: 'error',
  title: 'Page call on a folio, folio call on a page, or unmap of the wrong side',
  description:
    'The first argument of a page or folio call has the other type: put_page() on a `struct folio *`, folio_put() on a `struct page *` (the kernel builds with -Werror=incompatible-pointer-types), kunmap() given the address kmap_local_page() returned (a void * converts silently: the local mapping is never undone), or kunmap_local() given the page (BUILD_BUG_ON). Judged only when the argument is a variable whose declaration the text shows; the expected types are the v6.19 prototypes, in the catalog.',
  notARace: 'a page call on a folio does not build; an unmap of the wrong side is one CPU undoing a mapping it did not make',
  check: wrongType,
};
