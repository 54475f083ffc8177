// The generated CRDs are what an API server accepts: structural schemas (Kubernetes'
// apiextensions rules), checked here without a server. The YAML is parsed as YAML 1.1, as the
// API server and kubectl read it, so an unquoted OFF or yes would show up as a boolean.
import t from 'tap'
import YAML from 'yaml'
import { crdFor } from './crd.js'
import { KINDS } from './index.js'
import { toYaml } from './render.js'

type Node = Record<string, unknown>

/** Every key Kubernetes accepts in a structural schema node of a v1 CRD. */
const ALLOWED = new Set([
  'description', 'type', 'format', 'title', 'default', 'maximum', 'minimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'enum', 'maxProperties', 'minProperties', 'required', 'items', 'properties',
  'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
])
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean'])

type Visit = (node: Node, path: string, isProperty: boolean) => void

/** Calls `visit` for every schema node with its path, the root included; list items and map values are not properties. */
function walk(node: Node, path: string, visit: Visit, isProperty = false): void {
  visit(node, path, isProperty)
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) walk(child, `${path}.${name}`, visit, true)
  if (node.items) walk(node.items as Node, `${path}[]`, visit)
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Node, `${path}.*`, visit)
}

function matchesType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string'
    case 'boolean': return typeof value === 'boolean'
    case 'integer': return Number.isInteger(value)
    case 'number': return typeof value === 'number'
    case 'array': return Array.isArray(value)
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value)
    default: return true
  }
}

/** The schema node a printer column's JSONPath points at, or undefined when there is none. */
function resolve(root: Node, jsonPath: string): Node | undefined {
  let node: Node | undefined = root
  for (const part of jsonPath.replace(/\[\?\(.*?\)\]/g, '[]').split('.').slice(1)) {
    const isList = part.endsWith('[]')
    const name = isList ? part.slice(0, -2) : part
    node = (node?.properties as Record<string, Node> | undefined)?.[name]
    if (node && node.type === 'object' && !node.properties) return node // metadata: not described further
    if (isList) node = node?.items as Node | undefined
  }
  return node
}

for (const kind of KINDS) {
  t.test(`${kind.kind} CRD`, async (t) => {
    const crd = YAML.parse(toYaml(crdFor(kind)), { version: '1.1' }) as Node
    const spec = crd.spec as Node
    const version = (spec.versions as Node[])[0] as Node
    const root = (version.schema as Node).openAPIV3Schema as Node
    const problems: string[] = []
    const problem = (path: string, what: string) => problems.push(`${path}: ${what}`)

    walk(root, '', (node, path, isProperty) => {
      for (const key of Object.keys(node)) if (!ALLOWED.has(key)) problem(path, `key ${key} is not allowed in a CRD schema`)
      const preserve = node['x-kubernetes-preserve-unknown-fields'] === true
      if (node.type === undefined && !preserve && node['x-kubernetes-int-or-string'] !== true) problem(path, 'has no type')
      if (node.type !== undefined && !TYPES.has(node.type as string)) problem(path, `unknown type ${String(node.type)}`)
      if (node.type === undefined && (node.properties || node.items || node.additionalProperties !== undefined)) {
        problem(path, 'describes structure without a type')
      }
      if (isProperty && (typeof node.description !== 'string' || node.description.trim() === '')) problem(path, 'has no description')
      if (node.properties && node.additionalProperties !== undefined) problem(path, 'has both properties and additionalProperties')
      if (node.additionalProperties === false) problem(path, 'additionalProperties: false (Kubernetes prunes instead)')
      if (node.type === 'array' && !node.items) problem(path, 'array without items')
      for (const name of (node.required ?? []) as string[]) {
        if (!(node.properties as Node | undefined)?.[name]) problem(path, `requires ${name}, which is not a property`)
      }
      if (node.enum !== undefined) {
        const values = node.enum as unknown[]
        if (node.type !== 'string') problem(path, `enum on type ${String(node.type)}`)
        for (const v of values) if (typeof v !== 'string') problem(path, `enum value ${JSON.stringify(v)} is not a string`)
        if (node.default !== undefined && !values.includes(node.default)) problem(path, `default ${JSON.stringify(node.default)} not in enum`)
      }
      if (node.default !== undefined) {
        const d = node.default
        if (!matchesType(d, node.type)) problem(path, `default ${JSON.stringify(d)} is not a ${String(node.type)}`)
        if (typeof d === 'string' && typeof node.pattern === 'string' && !new RegExp(node.pattern).test(d)) problem(path, `default ${d} does not match the pattern`)
        if (typeof d === 'number' && ((node.minimum as number) > d || (node.maximum as number) < d)) problem(path, `default ${d} is out of range`)
      }
      if (node.pattern !== undefined) {
        try {
          new RegExp(node.pattern as string)
        } catch {
          problem(path, `pattern ${String(node.pattern)} does not compile`)
        }
      }
      if (node['x-kubernetes-list-type'] === 'map') {
        const item = node.items as Node
        for (const key of (node['x-kubernetes-list-map-keys'] ?? []) as string[]) {
          const keyNode = (item.properties as Record<string, Node>)[key]
          const required = ((item.required ?? []) as string[]).includes(key)
          if (!keyNode || !(required || keyNode.default !== undefined)) problem(path, `list map key ${key} must be a required or defaulted property`)
        }
      }
    })

    const props = root.properties as Record<string, Node>
    t.same(props.metadata, { description: 'Standard object metadata.', type: 'object' }, 'metadata carries no restrictions')
    t.same(root.required, ['spec'])
    t.equal(props.spec?.type, 'object')
    t.equal(props.status?.type, 'object')
    t.same(problems, [], 'structural schema rules hold')

    const names = spec.names as Node
    t.equal(crd.apiVersion, 'apiextensions.k8s.io/v1')
    t.equal((crd.metadata as Node).name, `${kind.plural}.tollgate.dev`)
    t.match(names, { kind: kind.kind, plural: kind.plural, singular: kind.singular, categories: ['tollgate'] })
    t.match(kind.plural, /^[a-z]+$/)
    t.equal(spec.scope, 'Namespaced')
    t.match(version, { name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } })

    for (const column of version.additionalPrinterColumns as Node[]) {
      const target = resolve(root, column.jsonPath as string)
      t.ok(target, `printer column ${String(column.name)} points at a field (${String(column.jsonPath)})`)
      if (target && column.type !== 'date' && target.type !== 'object') {
        const expected = column.type === 'string' ? ['string', 'array'] : [column.type]
        t.ok(expected.includes(target.type), `printer column ${String(column.name)} type ${String(column.type)} fits ${String(target.type)}`)
      }
    }
  })
}

t.test('short names and kinds are unique across CRDs', async (t) => {
  const shortNames = KINDS.flatMap((k) => k.shortNames)
  t.equal(new Set(shortNames).size, shortNames.length)
  t.equal(new Set(KINDS.map((k) => k.plural)).size, KINDS.length)
})

t.test('strings YAML 1.1 reads as booleans are quoted', async (t) => {
  const text = toYaml({ levels: ['OFF', 'ERROR', 'INFO'], y: 'yes' })
  t.same(YAML.parse(text, { version: '1.1' }), { levels: ['OFF', 'ERROR', 'INFO'], y: 'yes' })
})
