import { CftkitError } from "@cftkit/core";
import { stringify } from "yaml";

/**
 * A number as PyYAML (YAML 1.1) reads it back as a number: JavaScript writes 1e-7 and 1e+23, which PyYAML
 * reads as strings (its float pattern needs a `.` in the mantissa), so exponent forms get one (`1.0e-7`).
 */
export function pythonYamlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new CftkitError(
      "TRAIN_CONFIG_NUMBER",
      `cannot write the non-finite number ${value} to an Axolotl config`,
    );
  }
  const plain = String(value);
  if (!plain.includes("e")) return plain;
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}e${exponent}`;
}

const pythonNumberTag = {
  identify: (value: unknown) => typeof value === "number",
  default: true,
  tag: "tag:yaml.org,2002:float",
  test: /^(?!)/, // writing only; reading uses the normal schema
  resolve: (text: string) => Number(text),
  stringify: ({ value }: { value: unknown }) => pythonYamlNumber(value as number),
};

/**
 * YAML text for Python tools (Axolotl reads its config with PyYAML): YAML 1.1 quoting, so strings such as
 * `yes`, `on` or `1:30` stay strings, and numbers that PyYAML reads as numbers.
 */
export function stringifyForPython(value: unknown): string {
  return stringify(value, {
    version: "1.1",
    lineWidth: 0,
    customTags: (tags) => [pythonNumberTag, ...tags],
  });
}
