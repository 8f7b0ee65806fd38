/**
 * Naming rules of the generated code: TypeScript type names in PascalCase of the table's protocol name
 * (Logical_Switch_Port -> LogicalSwitchPort), file names in kebab-case (logical-switch-port.ts), property
 * names exactly as in the schema (quoted only when they are not identifiers).
 */

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Logical_Switch_Port -> LogicalSwitchPort, ACL -> ACL, external_ids -> ExternalIds, port-name -> PortName. */
export function pascalCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  const out = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** Logical_Switch_Port -> logical-switch-port */
export function kebabCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.toLowerCase())
    .join("-");
}

export function isIdentifier(name: string): boolean {
  return IDENT_RE.test(name);
}

/** A property key as written in an interface or object literal. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}
