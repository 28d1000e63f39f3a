// The manager links between people, as pure functions: whether a new link would make a loop, and the
// org chart's tree. No database here: callers read the links (one query) and pass them in.

/**
 * True when making `managerId` the manager of `personId` would close a loop: the person would end up
 * (directly or through others) managing their own manager. Being one's own manager is such a loop.
 * A loop already in the data that does not go through `personId` is not this link's fault: false.
 *
 * @example
 * // 2 is managed by 1: making 2 the manager of 1 closes a loop.
 * wouldCreateCycle(new Map([[2, 1]]), 1, 2) // true
 */
export function wouldCreateCycle(managerOf: ReadonlyMap<number, number | null>, personId: number, managerId: number | null): boolean {
  if (managerId === null) return false;
  const seen = new Set<number>();
  let current: number | null = managerId;
  while (current !== null) {
    if (current === personId) return true;
    if (seen.has(current)) return false;
    seen.add(current);
    current = managerOf.get(current) ?? null;
  }
  return false;
}

export interface OrgPerson {
  id: number;
  name: string;
  job_title: string | null;
  manager_id: number | null;
}

export interface OrgNode {
  id: number;
  name: string;
  jobTitle: string | null;
  reports: OrgNode[];
  /** Everyone under this person, at any depth. */
  teamSize: number;
}

/**
 * The org chart: people without a manager (or whose manager is not in `people`, such as a
 * deactivated one) at the top, each with their direct reports, in the order of `people` (sorted by
 * name by the caller). Should the data hold a loop, its first member in that order is put at the
 * top, so that everyone appears exactly once.
 *
 * @example
 * buildOrgTree([{ id: 1, name: 'Ana', job_title: null, manager_id: null }, { id: 2, name: 'Bo', job_title: null, manager_id: 1 }])
 * // [{ id: 1, name: 'Ana', reports: [{ id: 2, name: 'Bo', reports: [] ... }] ... }]
 */
export function buildOrgTree(people: readonly OrgPerson[]): OrgNode[] {
  const nodes = new Map<number, OrgNode>();
  for (const p of people) nodes.set(p.id, { id: p.id, name: p.name, jobTitle: p.job_title, reports: [], teamSize: 0 });
  const childrenOf = new Map<number, OrgPerson[]>();
  const roots: OrgPerson[] = [];
  for (const p of people) {
    if (p.manager_id === null || p.manager_id === p.id || !nodes.has(p.manager_id)) roots.push(p);
    else {
      const list = childrenOf.get(p.manager_id) ?? [];
      list.push(p);
      childrenOf.set(p.manager_id, list);
    }
  }
  const placed = new Set<number>();
  const tree: OrgNode[] = [];
  // Iterative, so that a very deep chain cannot overflow the stack.
  const place = (root: OrgPerson) => {
    const stack: OrgPerson[] = [root];
    placed.add(root.id);
    while (stack.length > 0) {
      const person = stack.pop()!;
      const node = nodes.get(person.id)!;
      for (const child of childrenOf.get(person.id) ?? []) {
        if (placed.has(child.id)) continue;
        placed.add(child.id);
        node.reports.push(nodes.get(child.id)!);
        stack.push(child);
      }
    }
    tree.push(nodes.get(root.id)!);
  };
  for (const root of roots) place(root);
  for (const p of people) if (!placed.has(p.id)) place(p);
  for (const root of tree) countTeam(root);
  return tree;
}

function countTeam(root: OrgNode): void {
  // Post-order without recursion: children before parents.
  const order: OrgNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    stack.push(...node.reports);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    node.teamSize = node.reports.reduce((sum, r) => sum + 1 + r.teamSize, 0);
  }
}
