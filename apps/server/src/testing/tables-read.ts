import type { KyselyPlugin, OperationNode } from 'kysely';

/** The tables each query names, as a Kysely plugin sees the query before it runs. */
export function tablesRead(): { plugin: KyselyPlugin; queries: string[][] } {
  const queries: string[][] = [];
  const tables = (node: unknown, into: Set<string>): Set<string> => {
    if (Array.isArray(node)) for (const n of node) tables(n, into);
    else if (node !== null && typeof node === 'object') {
      const n = node as { kind?: string; table?: { identifier?: { name?: string } } };
      if (n.kind === 'TableNode' && n.table?.identifier?.name) into.add(n.table.identifier.name);
      // A column reference names its table's alias ("a"."exam_id"), not a table read.
      if (n.kind !== 'ReferenceNode') for (const v of Object.values(node)) tables(v, into);
    }
    return into;
  };
  return {
    queries,
    plugin: {
      transformQuery: ({ node }) => {
        queries.push([...tables(node as OperationNode, new Set())].sort());
        return node;
      },
      transformResult: async ({ result }) => result,
    },
  };
}
