import { CftkitError } from "./cftkit-error.js";

/** True when `error` says that `specifier` itself (not something it imports) could not be found. */
function isMissingPackage(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return String((error as Error).message).includes(`'${specifier}'`);
}

/**
 * Load an optional peer dependency on first use: `load` is `() => import("pkg")` written out, so bundlers and
 * type checkers still see the specifier. When the package is not installed the caller gets
 * `OPTIONAL_DEPENDENCY_MISSING` naming the package and the feature that needs it, instead of a resolver error.
 */
export async function importOptional<T>(
  specifier: string,
  feature: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error, specifier)) throw error;
    throw new CftkitError(
      "OPTIONAL_DEPENDENCY_MISSING",
      `${feature} needs ${specifier}, an optional peer dependency that is not installed: npm install ${specifier}`,
      { cause: error, details: { package: specifier } },
    );
  }
}
