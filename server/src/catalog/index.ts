/**
 * The kernel API catalog: the one place where kernel knowledge lives.
 *
 * Data modules under ./data export ApiSpec[] / KindSpec[] tables; this module
 * indexes them. Rules never spell kernel API names: they ask the catalog what
 * a call acquires, releases, orders, needs or forbids.
 */
import type { ApiSpec, KindSpec, ResourceKind, Effect, AcquireEffect, ReleaseEffect } from './schema';
import { KINDS } from './data/kinds';
import { DATA } from './data';

export * from './schema';

export class Catalog {
  private readonly byName = new Map<string, ApiSpec>();
  private readonly kinds = new Map<ResourceKind, KindSpec>();

  constructor(apis: readonly ApiSpec[], kinds: readonly KindSpec[]) {
    for (const k of kinds) this.kinds.set(k.kind, k);
    for (const a of apis) {
      if (this.byName.has(a.name)) throw new Error(`catalog: duplicate entry ${a.name}`);
      this.byName.set(a.name, a);
      for (const alias of a.aliases ?? []) {
        if (this.byName.has(alias)) throw new Error(`catalog: duplicate alias ${alias}`);
        this.byName.set(alias, a);
      }
    }
  }

  /** The spec for a called name (identifier, or the field name of an indirect call), if catalogued. */
  api(name: string): ApiSpec | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  kind(kind: ResourceKind): KindSpec {
    const k = this.kinds.get(kind);
    if (!k) throw new Error(`catalog: unknown resource kind ${kind}`);
    return k;
  }

  /** Every distinct spec, sorted by name (for docs and tests). */
  all(): ApiSpec[] {
    return [...new Set(this.byName.values())].sort((a, b) => a.name.localeCompare(b.name));
  }

  allKinds(): KindSpec[] {
    return [...this.kinds.values()];
  }

  acquires(name: string): AcquireEffect[] {
    return (this.api(name)?.effects ?? []).filter((e): e is AcquireEffect => e.op === 'acquire');
  }

  releases(name: string): ReleaseEffect[] {
    return (this.api(name)?.effects ?? []).filter((e): e is ReleaseEffect => e.op === 'release');
  }

  effects(name: string): Effect[] {
    return this.api(name)?.effects ?? [];
  }

  /** Can a release of kind `rel` legitimately drop an acquire of kind `acq`? */
  compatible(acq: ResourceKind, rel: ResourceKind): boolean {
    if (acq === rel) return true;
    return this.kinds.get(rel)?.releases?.includes(acq) ?? false;
  }

  /** Names of the APIs whose effects release `kind` (for messages and quick fixes). */
  releasersOf(kind: ResourceKind): string[] {
    return this.all()
      .filter((a) => a.effects?.some((e) => e.op === 'release' && e.kind === kind))
      .map((a) => a.name);
  }
}

/** The catalog built from the bundled data. */
export const catalog = new Catalog(DATA, KINDS);
