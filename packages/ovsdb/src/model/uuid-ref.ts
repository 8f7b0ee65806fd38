/**
 * A uuid (canonical lower-case text) that refers to a row of table T. Plain strings are assignable to it, but
 * a reference to one table is not assignable to a reference to another:
 *   const ls: UuidRef<"Logical_Switch"> = "6d1c...";          // ok
 *   const lsp: UuidRef<"Logical_Switch_Port"> = ls;           // type error
 */
export type UuidRef<T extends string = string> = string & { readonly __table?: T };
