// Resource paths: "/pets/{petId}", "/{proxy+}". API Gateway builds a tree of resources from
// them, one path part per level, and rejects a path part unless it is
//   - static: the characters a-z A-Z 0-9 . _ - : (AWS: "Resource's path part only allow
//     a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign
//     before the closing brace"; the colon is accepted too, as in `/v1/books:search`), or
//   - a parameter: the whole part is {name} or, as the last part only, the greedy {name+}.
// Tollgate also refuses "." and ".." parts: a client's URL normalisation removes them, so
// such a route could never match.
import { error, type Problem } from '../../crds/problems.js'

export type Segment =
  | { kind: 'static'; text: string }
  | { kind: 'param'; text: string; name: string; greedy: boolean }

export interface ParsedPath {
  segments: Segment[]
  /** Parameter names in order of appearance. */
  params: string[]
  problems: Problem[]
}

const STATIC = /^[A-Za-z0-9._:-]+$/
const PARAM = /^\{([A-Za-z0-9._-]+)(\+?)\}$/
export const PARAM_NAME = /^[A-Za-z0-9._-]+$/

export function parsePath(path: string, field: string): ParsedPath {
  const problems: Problem[] = []
  const bad = (message: string) => problems.push(error(field, 'InvalidPath', message))
  if (!path.startsWith('/')) {
    bad(`path ${JSON.stringify(path)} must start with /`)
    return { segments: [], params: [], problems }
  }
  if (path === '/') return { segments: [], params: [], problems }
  const segments: Segment[] = []
  const params: string[] = []
  const parts = path.slice(1).split('/')
  parts.forEach((part, i) => {
    if (part === '') {
      bad(`path ${JSON.stringify(path)} has an empty path part (a doubled or trailing /)`)
      return
    }
    if (part === '.' || part === '..') {
      bad(`path ${JSON.stringify(path)} has a "${part}" path part, which clients normalise away`)
      return
    }
    const param = PARAM.exec(part)
    if (param) {
      const name = param[1]!
      const greedy = param[2] === '+'
      if (greedy && i !== parts.length - 1) {
        bad(`greedy parameter ${part} in ${JSON.stringify(path)} must be the last path part`)
      }
      if (params.includes(name)) {
        problems.push(error(field, 'DuplicatePathParameter', `path ${JSON.stringify(path)} uses the parameter name ${JSON.stringify(name)} more than once`))
      }
      params.push(name)
      segments.push({ kind: 'param', text: part, name, greedy })
      return
    }
    if (part.includes('{') || part.includes('}')) {
      bad(
        `path part ${JSON.stringify(part)} of ${JSON.stringify(path)}: a parameter must be a whole path part, {name} or {name+}, ` +
          'with a name of a-z A-Z 0-9 . _ -',
      )
      return
    }
    if (!STATIC.test(part)) {
      bad(`path part ${JSON.stringify(part)} of ${JSON.stringify(path)} may only contain a-z A-Z 0-9 . _ - :`)
      return
    }
    segments.push({ kind: 'static', text: part })
  })
  return { segments, params, problems }
}
