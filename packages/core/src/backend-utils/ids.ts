/** Reading the ids core gave a machine (`MachineInit.ids`), once, at creation. */

/**
 * The id of `name` in one of `MachineInit.ids`' tables; throws on a name the variant does not
 * declare (a misspelt name would otherwise become `undefined`, then NaN on the hot path).
 */
export function idOf(table: Readonly<Record<string, number>>, name: string): number {
  const id = table[name];
  if (id === undefined)
    throw new Error(`no id named "${name}" (declared: ${Object.keys(table).join(', ')})`);
  return id;
}
