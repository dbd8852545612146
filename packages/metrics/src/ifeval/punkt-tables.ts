/** Parse NLTK's plain-text `punkt_tab` layout (no file system: the caller passes the four files' text). */
import { CftkitError } from "@cftkit/core/errors";
import type { PunktParameters } from "./punkt.js";

/** The text of `abbrev_types.txt`, `collocations.tab`, `sent_starters.txt` and `ortho_context.tab`. */
export interface PunktTableTexts {
  abbrevTypes: string;
  collocations: string;
  sentStarters: string;
  orthoContext: string;
}

/** File names of the four tables inside a `punkt_tab/<language>/` folder. */
export const PUNKT_TABLE_FILES: Record<keyof PunktTableTexts, string> = {
  abbrevTypes: "abbrev_types.txt",
  collocations: "collocations.tab",
  sentStarters: "sent_starters.txt",
  orthoContext: "ortho_context.tab",
};

const lines = (text: string): string[] => text.split("\n").filter((l) => l.length > 0);

/** Build Punkt parameters from the tables' text; `where` names their origin in error messages. */
export function parsePunktTables(texts: PunktTableTexts, where = "punkt_tab"): PunktParameters {
  const orthoContext = new Map<string, number>();
  for (const [i, line] of lines(texts.orthoContext).entries()) {
    const tab = line.lastIndexOf("\t");
    const value = Number(line.slice(tab + 1));
    if (tab < 0 || !Number.isInteger(value)) {
      throw new CftkitError(
        "PUNKT_BAD_TABLE",
        `${where}/${PUNKT_TABLE_FILES.orthoContext} line ${i + 1}: expected "type<TAB>int"`,
      );
    }
    orthoContext.set(line.slice(0, tab), value);
  }
  const collocations = new Set<string>();
  for (const line of lines(texts.collocations)) {
    const [a, b] = line.split("\t");
    if (a !== undefined && b !== undefined) collocations.add(`${a}\u0000${b}`);
  }
  return {
    abbrevTypes: new Set(lines(texts.abbrevTypes)),
    collocations,
    sentStarters: new Set(lines(texts.sentStarters)),
    orthoContext,
  };
}
