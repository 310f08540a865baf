/**
 * An in-memory index of the unit tree: lookups by id and code, children, subtrees, ancestors.
 * Pure (no I/O). Built once from the store's rows and reused by progress and permissions.
 */
import type { UnitKind, UnitNode } from "../types.js";

/** Which day a tree describes (see loadUnitTree in src/store/units.ts). */
export interface UnitTreeDate {
  /** The local day (YYYY-MM-DD) the tree is the tree of; null: the latest tree. */
  at: string | null;
  /**
   * True when a reorganisation took effect after `at`: the units' stored `path` describes another
   * tree, so subtree queries must not use it (src/progress/load.ts, src/outputs/data.ts).
   */
  historic: boolean;
}

/** An in-memory index of one version of the unit tree (see the module comment). */
export class UnitTree {
  /** The day this tree describes; the latest tree by default. */
  readonly date: UnitTreeDate;
  private readonly byIdMap = new Map<number, UnitNode>();
  private readonly byCodeMap = new Map<string, UnitNode>();
  private readonly childrenMap = new Map<number, UnitNode[]>();
  readonly roots: UnitNode[] = [];

  constructor(units: Iterable<UnitNode>, date: UnitTreeDate = { at: null, historic: false }) {
    this.date = date;
    for (const u of units) {
      this.byIdMap.set(u.id, u);
      this.byCodeMap.set(u.code.toUpperCase(), u);
    }
    for (const u of this.byIdMap.values()) {
      if (u.parentId === null || !this.byIdMap.has(u.parentId)) {
        this.roots.push(u);
        continue;
      }
      let list = this.childrenMap.get(u.parentId);
      if (!list) this.childrenMap.set(u.parentId, (list = []));
      list.push(u);
    }
    const byName = (a: UnitNode, b: UnitNode) => a.name.localeCompare(b.name, "vi");
    for (const list of this.childrenMap.values()) list.sort(byName);
    this.roots.sort(byName);
  }

  /** How many units the tree holds. */
  get size(): number {
    return this.byIdMap.size;
  }

  /** The unit with this id, if it is in this tree. */
  byId(id: number): UnitNode | undefined {
    return this.byIdMap.get(id);
  }

  /** Codes are matched case-insensitively. */
  byCode(code: string): UnitNode | undefined {
    return this.byCodeMap.get(code.trim().toUpperCase());
  }

  /** Its children, by name. */
  children(id: number): readonly UnitNode[] {
    return this.childrenMap.get(id) ?? [];
  }

  /** The unit itself and every unit below it, depth first. */
  *subtree(id: number): Generator<UnitNode> {
    const root = this.byIdMap.get(id);
    if (!root) return;
    const stack: UnitNode[] = [root];
    while (stack.length > 0) {
      const u = stack.pop()!;
      yield u;
      const kids = this.childrenMap.get(u.id);
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }

  /** Units of the given kinds in the subtree of `id` (the unit itself included). */
  subtreeOfKinds(id: number, kinds: readonly UnitKind[]): UnitNode[] {
    const out: UnitNode[] = [];
    for (const u of this.subtree(id)) if (kinds.includes(u.kind)) out.push(u);
    return out;
  }

  /** Parent first, up to the root; the unit itself is not included. */
  ancestors(id: number): UnitNode[] {
    const out: UnitNode[] = [];
    let cur = this.byIdMap.get(id);
    const seen = new Set<number>();
    while (cur && cur.parentId !== null && !seen.has(cur.parentId)) {
      seen.add(cur.parentId);
      const parent = this.byIdMap.get(cur.parentId);
      if (!parent) break;
      out.push(parent);
      cur = parent;
    }
    return out;
  }

  /** True when `id` is `ancestorId` or lies below it. */
  isWithin(id: number, ancestorId: number): boolean {
    if (id === ancestorId) return true;
    return this.ancestors(id).some((a) => a.id === ancestorId);
  }

  /** Every unit, in no particular order. */
  all(): IterableIterator<UnitNode> {
    return this.byIdMap.values();
  }
}
