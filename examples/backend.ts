// A small pet store backend for the quick start and the examples: GET /pets, GET /pets/{id},
// POST /pets, and an echo of anything else (method, path, query, headers, body) so a newcomer
// can see what the gateway forwards. No dependencies, in-memory data.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

interface Pet {
  id: number
  type: string
  price: number
}

const INITIAL_PETS: readonly Pet[] = [
  { id: 1, type: 'dog', price: 249.99 },
  { id: 2, type: 'cat', price: 124.99 },
  { id: 3, type: 'fish', price: 0.99 },
]

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export function createBackend(): Server {
  const pets: Pet[] = INITIAL_PETS.map((p) => ({ ...p }))
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend')
    const body = await readBody(req)
    const match = /^\/pets\/([^/]+)$/.exec(url.pathname)
    if (url.pathname === '/pets' && req.method === 'GET') return send(res, 200, pets)
    if (url.pathname === '/pets' && req.method === 'POST') {
      let input: Partial<Pet>
      try {
        input = JSON.parse(body) as Partial<Pet>
      } catch {
        return send(res, 400, { error: 'body must be JSON' })
      }
      const pet: Pet = { id: pets.length + 1, type: String(input.type ?? 'unknown'), price: Number(input.price ?? 0) }
      pets.push(pet)
      return send(res, 201, pet)
    }
    if (match && req.method === 'GET') {
      const pet = pets.find((p) => String(p.id) === decodeURIComponent(match[1] ?? ''))
      return pet ? send(res, 200, pet) : send(res, 404, { error: `no pet ${match[1]}` })
    }
    return send(res, 200, {
      echo: { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body },
    })
  })
}

export async function startBackend(port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createBackend()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return { server, port: (server.address() as AddressInfo).port }
}
