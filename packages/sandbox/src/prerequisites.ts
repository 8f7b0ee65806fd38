/**
 * Checks, before anything starts, that the Debian OVN/OVS packages are installed, and says how to install what
 * is missing.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { SandboxError } from "./process.js";

/** Every program the sandbox runs, with the Debian package that ships it. */
export const REQUIRED_BINARIES: Readonly<Record<string, string>> = {
  "ovsdb-server": "openvswitch-common",
  "ovsdb-tool": "openvswitch-common",
  "ovs-appctl": "openvswitch-common",
  "ovs-ofctl": "openvswitch-common",
  "ovs-vsctl": "openvswitch-switch",
  "ovs-vswitchd": "openvswitch-switch",
  "ovn-northd": "ovn-central",
  "ovn-controller": "ovn-host",
  "ovn-nbctl": "ovn-common",
  "ovn-sbctl": "ovn-common",
  "ovn-appctl": "ovn-common",
};

export const REQUIRED_FILES: Readonly<Record<string, string>> = {
  "/usr/share/ovn/ovn-nb.ovsschema": "ovn-central",
  "/usr/share/ovn/ovn-sb.ovsschema": "ovn-central",
  "/usr/share/openvswitch/vswitch.ovsschema": "openvswitch-switch",
};

export const INSTALL_COMMAND =
  "sudo apt-get update && sudo apt-get install -y ovn-central ovn-host openvswitch-switch openvswitch-common ovn-common";

/** Directories daemons live in but that a non-root PATH often lacks. */
export const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

export interface MissingPiece {
  /** A program name or a file path. */
  what: string;
  package: string;
  /** Where it was found off PATH, if anywhere (e.g. /usr/sbin not on a user's PATH). */
  foundAt?: string;
}

function executableIn(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  try {
    accessSync(p, constants.X_OK);
    return p;
  } catch {
    return undefined;
  }
}

/** Lists what is missing; `pathEnv` defaults to process.env.PATH. */
export function findMissingPrerequisites(pathEnv: string = process.env["PATH"] ?? ""): MissingPiece[] {
  const dirs = pathEnv.split(delimiter).filter((d) => d.length > 0);
  const missing: MissingPiece[] = [];
  for (const [binary, pkg] of Object.entries(REQUIRED_BINARIES)) {
    if (dirs.some((d) => executableIn(d, binary))) continue;
    const foundAt = SBIN_DIRS.map((d) => executableIn(d, binary)).find((p) => p !== undefined);
    missing.push(foundAt ? { what: binary, package: pkg, foundAt } : { what: binary, package: pkg });
  }
  for (const [file, pkg] of Object.entries(REQUIRED_FILES)) {
    if (!existsSync(file)) missing.push({ what: file, package: pkg });
  }
  return missing;
}

/** Throws SandboxError MISSING_PACKAGES naming what is missing and the install command. */
export function checkPrerequisites(pathEnv?: string): void {
  const missing = findMissingPrerequisites(pathEnv);
  if (missing.length === 0) return;
  const offPath = missing.filter((m) => m.foundAt);
  const absent = missing.filter((m) => !m.foundAt);
  const lines: string[] = [];
  if (absent.length > 0) {
    const pkgs = [...new Set(absent.map((m) => m.package))].sort();
    lines.push(
      `OVN/OVS not installed: missing ${absent.map((m) => `${m.what} (${m.package})`).join(", ")}.`,
      `Missing Debian packages: ${pkgs.join(" ")}. Install them with:`,
      `  ${INSTALL_COMMAND}`,
    );
  }
  if (offPath.length > 0) {
    lines.push(`Not on PATH: ${offPath.map((m) => m.foundAt).join(", ")}; add their directory to PATH, e.g.: export PATH="$PATH:/usr/sbin"`);
  }
  throw new SandboxError("MISSING_PACKAGES", lines.join("\n"));
}
