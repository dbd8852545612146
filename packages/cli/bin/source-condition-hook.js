// Module resolve hook: resolve @cftkit/* workspace packages to their TypeScript sources ("source" export
// condition) when the CLI runs unbuilt.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes("source")
    ? context.conditions
    : [...context.conditions, "source"];
  return nextResolve(specifier, { ...context, conditions });
}
