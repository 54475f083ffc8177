// An ordinary Lambda handler: an Express app wrapped by serverless-http, exactly as it would be
// deployed to AWS Lambda behind API Gateway. Tollgate runs it unchanged: `tollgate function serve
// --handler dist/examples/functions/app.js#handler` puts it behind the Lambda invoke API, and the
// AWS_PROXY integrations of local/*.yaml (or a functionRef in Kubernetes) call it.
//
//   GET  /pets?type=dog&limit=2   JSON list, filtered by the query
//   POST /pets                    JSON body → 201 with the new pet and a Location header
//   GET  /pets/:id/photo          a PNG (binary: serverless-http base64-encodes it)
//   POST /session                 sets two cookies; GET /session reads them back
//   GET  /teapot                  the app's own error response (418 JSON)
//   GET  /crash                   the handler fails (a Lambda function error)
import express, { type NextFunction, type Request, type Response } from 'express'
import serverless from 'serverless-http'

interface Pet {
  id: number
  type: string
  name: string
}

/** A 1×1 transparent PNG. */
export const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

export function createApp(): express.Express {
  const pets: Pet[] = [
    { id: 1, type: 'dog', name: 'Rex' },
    { id: 2, type: 'cat', name: 'Tom' },
    { id: 3, type: 'dog', name: 'Fido' },
  ]
  const app = express()
  app.use(express.json())

  app.get('/pets', (req: Request, res: Response) => {
    const type = typeof req.query.type === 'string' ? req.query.type : undefined
    const limit = typeof req.query.limit === 'string' ? Number(req.query.limit) : pets.length
    res.json(pets.filter((p) => type === undefined || p.type === type).slice(0, limit))
  })

  app.post('/pets', (req: Request, res: Response) => {
    const body = req.body as Partial<Pet> | undefined
    if (typeof body?.name !== 'string' || typeof body.type !== 'string') {
      res.status(400).json({ message: 'a pet needs a name and a type' })
      return
    }
    const pet = { id: pets.length + 1, type: body.type, name: body.name }
    pets.push(pet)
    res.status(201).location(`/pets/${pet.id}`).json(pet)
  })

  app.get('/pets/:id/photo', (_req: Request, res: Response) => {
    res.type('image/png').send(PHOTO)
  })

  app.post('/session', (_req: Request, res: Response) => {
    res.cookie('session', 'abc123', { httpOnly: true, path: '/' })
    res.cookie('theme', 'dark')
    res.json({ ok: true })
  })

  app.get('/session', (req: Request, res: Response) => {
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '')
        .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]),
    )
    res.json({ cookies })
  })

  app.get('/teapot', (_req: Request, _res: Response, next: NextFunction) => {
    next(Object.assign(new Error("I'm a teapot"), { status: 418 }))
  })

  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ message: err.message })
  })
  return app
}

const wrapped = serverless(createApp(), { binary: ['image/png'] })

/** The Lambda handler. */
export async function handler(event: { path?: string; rawPath?: string }, context: object): Promise<object> {
  if ((event.rawPath ?? event.path) === '/crash') throw new Error('the handler crashed')
  return wrapped(event, context)
}
