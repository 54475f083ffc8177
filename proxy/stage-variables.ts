// `${stageVariables.NAME}` in integration URIs, resolved at build time once per stage. An
// undefined variable is a problem of the route (it answers 500, as AWS does), not of the config.

const REFERENCE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g

export interface Resolved {
  readonly text: string
  /** Names referenced but not defined on the stage. */
  readonly missing: readonly string[]
}

export function resolveStageVariables(text: string, variables: Readonly<Record<string, string>>): Resolved {
  const missing: string[] = []
  const out = text.replace(REFERENCE, (_all, name: string) => {
    const value = variables[name]
    if (value === undefined) {
      missing.push(name)
      return ''
    }
    return value
  })
  return { text: out, missing }
}
