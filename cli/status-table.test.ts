// The table form of `tollgate status`: summary lines, then APIs, stages, proxies and problems in
// kubectl-style columns; ages relative to the report's generatedAt.
import t from 'tap'
import type { StatusReport } from '../operator/status-report.js'
import { age, renderStatus, table } from './status-table.js'

const H = '3f9a0c1d2e4b'.padEnd(64, '0')
const OLD = '0123456789ab'.padEnd(64, '1')

const report: StatusReport = {
  source: 'operator',
  replica: { identity: 'operator-a', leader: true },
  generatedAt: '2025-03-01T12:00:00.000Z',
  config: { hash: H, publishedAt: '2025-03-01T11:57:00.000Z', domain: 'example.test' },
  apis: [
    {
      id: 'pets000001',
      name: 'shop/pets',
      protocol: 'REST',
      endpointType: 'REGIONAL',
      revisions: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'],
      stages: [
        { name: 'beta', resource: 'shop/pets-beta', revision: 'aaaaaaaaaaaa', url: 'https://pets000001.execute-api.example.test/beta', canary: { revision: 'bbbbbbbbbbbb', deployment: 'pets-v1', percentTraffic: 12.5 } },
        { name: 'prod', resource: 'shop/pets-prod', revision: 'bbbbbbbbbbbb', deployment: 'pets-v1' },
      ],
    },
  ],
  fleet: {
    hash: H,
    total: 2,
    programmed: 1,
    pending: 0,
    rejected: 1,
    convergence: `1/2 at ${H.slice(0, 12)}`,
    proxies: [
      { id: 'proxy-a', state: 'Programmed', ackedHash: H, replica: 'operator-a', address: '10.0.0.7', connectedAt: '2025-03-01T09:00:00.000Z' },
      { id: 'proxy-b', state: 'Rejected', ackedHash: OLD, nack: { hash: H, reason: 'cannot serve\napi pets000001' }, replica: 'operator-b' },
    ],
  },
  problems: [
    { kind: 'Api', namespace: 'shop', name: 'edited', severity: 'error', reason: 'InvalidPath', field: 'spec.routes[0].path', message: 'must start with /', kept: true },
    { kind: 'Stage', namespace: 'shop', name: 'vars', severity: 'warning', reason: 'RouteNotFound', field: '', message: 'no route' },
  ],
}

t.test('the whole report as text', async (t) => {
  t.equal(
    renderStatus(report),
    [
      'Source:     operator operator-a (leader)',
      'Config:     3f9a0c1d2e4b published 2025-03-01T11:57:00.000Z (3m ago), domain example.test',
      'Fleet:      1/2 at 3f9a0c1d2e4b (1 rejected)',
      'Problems:   1 error, 1 warning',
      '',
      'API          NAME        PROTOCOL   ENDPOINT   REVISIONS   STAGES',
      'pets000001   shop/pets   REST       REGIONAL   2           2',
      '',
      'API          STAGE   REVISION       DEPLOYMENT   CANARY          URL',
      'pets000001   beta    aaaaaaaaaaaa   <none>       12.5% pets-v1   https://pets000001.execute-api.example.test/beta',
      'pets000001   prod    bbbbbbbbbbbb   pets-v1      <none>          <none>',
      '',
      'PROXY     STATE        HASH           REPLICA      ADDRESS    AGE      REASON',
      'proxy-a   Programmed   3f9a0c1d2e4b   operator-a   10.0.0.7   3h       <none>',
      'proxy-b   Rejected     0123456789ab   operator-b   <none>     <none>   refused 3f9a0c1d2e4b: cannot serve api pets000001',
      '',
      'KIND    RESOURCE      SEVERITY   REASON          FIELD                 MESSAGE',
      'Api     shop/edited   error      InvalidPath     spec.routes[0].path   must start with / (the previous version keeps serving)',
      'Stage   shop/vars     warning    RouteNotFound   <none>                no route',
      '',
    ].join('\n'),
  )
})

t.test('empty: nothing published, no proxies, standalone', async (t) => {
  const text = renderStatus({
    source: 'standalone',
    generatedAt: '2025-03-01T12:00:00.000Z',
    config: null,
    apis: [],
    fleet: { hash: '', total: 0, programmed: 0, pending: 0, rejected: 0, convergence: 'no config published', proxies: [] },
    problems: [],
  })
  t.equal(
    text,
    'Source:     standalone (tollgate run)\nConfig:     none published yet\nFleet:      no config published\nProblems:   none\n\nNo APIs.\n\nNo stages.\n\nNo proxies connected.\n\nNo problems.\n',
  )
})

t.test('standalone problems name the file and line', async (t) => {
  const text = renderStatus({
    ...report,
    problems: [
      { kind: 'File', namespace: '', name: 'apis/broken.yaml', severity: 'error', reason: 'YamlSyntaxError', field: '', message: 'unexpected end', file: 'apis/broken.yaml', line: 4 },
      { kind: 'Api', namespace: 'default', name: 'shop', severity: 'error', reason: 'InvalidPath', field: 'spec.routes[0].path', message: 'must start with /', kept: true, file: 'apis/shop.yaml', line: 1 },
    ],
  })
  t.match(text, /^KIND   RESOURCE       FILE                 SEVERITY   REASON            FIELD                 MESSAGE$/m)
  t.match(text, /^File   <none>         apis\/broken\.yaml:4   error      YamlSyntaxError   <none>                unexpected end$/m)
  t.match(text, /^Api    default\/shop   apis\/shop\.yaml:1     error      InvalidPath       spec\.routes\[0\]\.path   must start with \/ \(the previous version keeps serving\)$/m)
})

t.test('table pads every column but the last; ages as kubectl prints them', async (t) => {
  t.same(table(['A', 'LONGER'], [['wide value', 'x'], ['y', '']]), ['A            LONGER', 'wide value   x', 'y'])
  const now = Date.parse('2025-03-01T12:00:00Z')
  t.equal(age(now, '2025-03-01T11:59:15Z'), '45s')
  t.equal(age(now, '2025-03-01T11:48:00Z'), '12m')
  t.equal(age(now, '2025-03-01T07:00:00Z'), '5h')
  t.equal(age(now, '2025-02-26T12:00:00Z'), '3d')
  t.equal(age(now, '2025-03-01T12:00:05Z'), '0s', 'a clock ahead never prints a negative age')
})
