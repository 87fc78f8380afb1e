/**
 * The memory-ordering facts of the catalog (OrderingFacts and the ordering
 * fields of ApiSpec): integrity, the catalog as the C model's source for
 * which macros access their argument in place, and eras stated on every
 * protocol.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, catalog } from 'mm-review-server/catalog/index';
import { DATA, DOMAINS, ORDERING_FACTS, REVALIDATION_PATTERNS, LOCKLESS_IDIOMS } from 'mm-review-server/catalog/data/index';
import { KINDS } from 'mm-review-server/catalog/data/kinds';
import { isScenarioId } from 'mm-review-server/protocol/scenarioIds';
import { functionImage } from 'mm-review-server/c/rebuild';
import { buildCfg } from 'mm-review-server/c/cfg';

describe('catalog: memory-ordering facts', () => {
  const facts = catalog.orderingFacts();

  it('every call named in the locations table is catalogued', () => {
    for (const name of Object.keys(facts.locations)) assert.ok(catalog.has(name), `locations: ${name} is not catalogued`);
  });

  it('every protocol names a scenario of the library, its kernels (era) and its source', () => {
    assert.ok(facts.protocols.length >= 3);
    for (const p of facts.protocols) {
      assert.ok(isScenarioId(p.scenario), `${p.name}: scenario ${p.scenario}`);
      assert.ok(p.kernels && p.kernels.length > 2, `${p.name}: kernels`);
      assert.ok(p.source, `${p.name}: source`);
      assert.ok(p.b.length > 0, `${p.name}: side B`);
      assert.equal(p.conditionStore === true, p.a.length === 0, `${p.name}: side A is empty exactly for a condition-store protocol`);
      // a location of side B is one that some catalogued call touches, or an entry class / field name
      for (const loc of p.storeToArgument ?? []) assert.ok(p.b.includes(loc), `${p.name}: storeToArgument ${loc} is not on side B`);
      if (p.orderedForm) {
        assert.ok(catalog.has(p.orderedForm), `${p.name}: ordered form ${p.orderedForm}`);
        assert.equal(catalog.api(p.orderedForm)!.ordering, 'full');
      }
    }
  });

  it('the lockless sleeper tests are loads of a waker protocol location; their ordered forms are full barriers', () => {
    const waker = facts.protocols.find((p) => p.conditionStore)!;
    for (const name of ['waitqueue_active', 'wake_up_bit', 'wake_up_var', 'swait_active']) {
      const loc = catalog.accessLocation(name);
      assert.ok(loc && waker.b.includes(loc), name);
      assert.equal(catalog.api(name)!.access![0].kind, 'load');
    }
    assert.equal(catalog.accessLocation('wq_has_sleeper'), catalog.accessLocation('waitqueue_active'));
    assert.equal(catalog.protocolWith(catalog.accessLocation('waitqueue_active')), waker);
  });

  it('repairs, acquire stores and boot-only annotations name real things', () => {
    for (const [k, v] of Object.entries(facts.repairs)) assert.ok(catalog.has(v), `repair ${k}: ${v}`);
    for (const [kind] of Object.entries(facts.acquireStores)) assert.ok(catalog.allKinds().some((k) => k.kind === kind), `acquireStores: ${kind}`);
    assert.ok(catalog.isBootOnly('__init'));
    assert.ok(!catalog.isBootOnly('__meminit'), 'memory hotplug runs __meminit code after boot');
  });

  it('ordering fields are consistent: publishers store, macros access argument 1, checkpatch barriers order', () => {
    for (const a of catalog.all()) {
      if (a.publishes) {
        assert.ok(a.access?.some((x) => x.kind === 'store'), `${a.name}: a publisher stores`);
        assert.ok(!a.arity || a.arity.some((n) => n > a.publishes!.arg), `${a.name}: publishes arg`);
      }
      if (a.macro) assert.ok(a.access?.some((x) => x.arg === 0), `${a.name}: a macro accessing in place accesses argument 1`);
      if (a.checkpatchComment) assert.ok(a.ordering !== undefined, `${a.name}: a barrier has an ordering`);
      if (a.assertsHeld) assert.ok(!a.arity || a.arity.some((n) => n > a.assertsHeld!.arg), `${a.name}: assertsHeld arg`);
      if (a.initialisesResult) assert.ok(a.allocates, `${a.name}: an initialised result is a new object`);
    }
  });

  it('the barrier entries live in the domain tables (no shadow table): every spelling once', () => {
    for (const n of ['smp_mb__after_unlock_lock', 'set_pte_at', 'pmd_populate', 'pte_alloc_one_kernel', 'local_lock_irqsave', 'page_dma_pinned']) {
      const hits = DATA.filter((a) => a.name === n || a.aliases?.includes(n));
      assert.equal(hits.length, 1, n);
      assert.ok(DOMAINS.some((d) => d.id === hits[0].domain));
    }
  });
});

describe('catalog: the C model asks the catalog which macros access their argument in place', () => {
  it('lvalueAccess: READ_ONCE/smp_load_acquire read, WRITE_ONCE/smp_store_release/smp_store_mb write; functions and unknowns do not', () => {
    const la = catalog.lvalueAccess;
    assert.equal(la('READ_ONCE'), 'read');
    assert.equal(la('smp_load_acquire'), 'read');
    assert.equal(la('data_race'), 'read');
    assert.equal(la('WRITE_ONCE'), 'write');
    assert.equal(la('smp_store_release'), 'write');
    assert.equal(la('smp_store_mb'), 'write');
    assert.equal(la('atomic_read'), undefined, 'atomic_read(&v) evaluates its argument');
    assert.equal(la('no_such_macro'), undefined);
    assert.deepEqual(catalog.names().filter((n) => la(n)).sort(), ['ACCESS_ONCE', 'READ_ONCE', 'WRITE_ONCE', 'data_race', 'smp_load_acquire', 'smp_store_mb', 'smp_store_release']);
  });

  it('the CFG records the access from the catalog it is given', () => {
    const img = functionImage('int f(struct s *p)\n{\n\treturn READ_ONCE(p->x);\n}\n');
    const v = img.variants[0];
    const reads = (cfg: ReturnType<typeof buildCfg>) => cfg!.nodes.flatMap((n) => n.ops).filter((o) => o.kind === 'read').map((o) => (o.kind === 'read' ? `${o.lvalue.text}:${o.macro}` : ''));
    assert.deepEqual(reads(buildCfg(v)), ['p->x:READ_ONCE']);
    // a catalog where READ_ONCE is an ordinary function: its argument is evaluated, not accessed in place
    const plain = new Catalog(
      DATA.map((a) => (a.name === 'READ_ONCE' ? { ...a, macro: undefined } : a)),
      KINDS,
      REVALIDATION_PATTERNS,
      LOCKLESS_IDIOMS,
      DOMAINS,
      ORDERING_FACTS,
    );
    assert.deepEqual(reads(buildCfg(v, { lvalueAccess: plain.lvalueAccess })), ['p->x:undefined']);
  });
});
