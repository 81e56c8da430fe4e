// The deployment files, checked offline: the Kubernetes manifests in deploy/k8s parse and
// hang together (selectors match the pod labels, probes hit /ready on the API port and /health
// on the health port, resources requested within their limits, non-root, state on a declared /data
// volume), and the Containerfile builds from files that exist, runs as a non-root user, keeps
// its state in /data and checks its health. No cluster or container engine is needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const k8s = join(root, 'deploy/k8s');

/** A parsed manifest: checked field by field below. */
type Doc = any;
const files = readdirSync(k8s).filter((f) => f.endsWith('.yaml')).sort();
const docs: { file: string; doc: Doc }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(k8s, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.join('; ')}`);
    return { file, doc: d.toJS() as Doc };
  }));
const byKind = (kind: string): Doc => {
  const found = docs.filter((d) => d.doc.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0]!.doc;
};

/** A Kubernetes quantity (`500m`, `2`, `1Gi`, `512M`) as a number. */
function quantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  assert.ok(m, `quantity ${q}`);
  const scale: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}

const subset = (labels: Record<string, string>, of: Record<string, string>) => Object.entries(labels).every(([k, v]) => of[k] === v);

describe('deploy/k8s', () => {
  test('every document parses and names its apiVersion, kind and name; kustomization lists every file', () => {
    assert.ok(docs.length >= 4);
    for (const { file, doc } of docs) {
      assert.equal(typeof doc.apiVersion, 'string', file);
      assert.equal(typeof doc.kind, 'string', file);
      if (doc.kind !== 'Kustomization') assert.equal(typeof doc.metadata?.name, 'string', file);
    }
    const kustomization = byKind('Kustomization');
    assert.deepEqual([...kustomization.resources].sort(), files.filter((f) => f !== 'kustomization.yaml'));
  });

  test('Deployment: several replicas, probes on /ready and /health, resources, non-root, /data volume', () => {
    const d = byKind('Deployment');
    assert.equal(d.apiVersion, 'apps/v1');
    assert.ok(d.spec.replicas >= 2, 'more than one replica');
    const pod = d.spec.template;
    assert.ok(subset(d.spec.selector.matchLabels, pod.metadata.labels), 'selector matches the pod labels');
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.notEqual(pod.spec.securityContext.runAsUser, 0);
    assert.equal(pod.spec.containers.length, 1);
    const c = pod.spec.containers[0];
    const env = Object.fromEntries(c.env.filter((e: Doc) => 'value' in e).map((e: Doc) => [e.name, e.value]));
    const port = c.ports.find((p: Doc) => p.containerPort === Number(env.TXGATE_PORT));
    assert.ok(port, 'a container port is the one TXGATE_PORT listens on');
    assert.equal(env.TXGATE_HOST, '0.0.0.0', 'listens beyond loopback');
    // Liveness and startup on the health listener (TXGATE_HEALTH_PORT), readiness on the API port.
    const healthPort = c.ports.find((p: Doc) => p.containerPort === Number(env.TXGATE_HEALTH_PORT));
    assert.ok(healthPort, 'a container port is the one TXGATE_HEALTH_PORT listens on');
    const probe = (p: Doc, on: Doc) => {
      assert.ok(p.httpGet.port === on.name || p.httpGet.port === on.containerPort, `probe on port ${on.containerPort}`);
      return p.httpGet.path;
    };
    assert.equal(probe(c.readinessProbe, port), '/ready');
    assert.equal(probe(c.livenessProbe, healthPort), '/health');
    assert.equal(probe(c.startupProbe, healthPort), '/health');
    for (const r of ['cpu', 'memory']) {
      assert.ok(quantity(c.resources.requests[r]) > 0, `${r} request`);
      assert.ok(quantity(c.resources.requests[r]) <= quantity(c.resources.limits[r]), `${r} request within its limit`);
    }
    const volumes = new Map(pod.spec.volumes.map((v: Doc) => [v.name, v]));
    for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), `volume ${m.name} declared`);
    const data = c.volumeMounts.find((m: Doc) => m.mountPath === env.TXGATE_DATADIR);
    assert.ok(data, 'TXGATE_DATADIR is a mounted volume');
    assert.ok('emptyDir' in (volumes.get(data.name) as Doc));
    if (c.securityContext?.readOnlyRootFilesystem) assert.ok(c.volumeMounts.some((m: Doc) => m.mountPath === '/tmp'), 'a writable /tmp');
  });

  test('Service and PodDisruptionBudget select the pods; the budget leaves replicas serving', () => {
    const d = byKind('Deployment');
    const labels = d.spec.template.metadata.labels;
    const s = byKind('Service');
    assert.ok(subset(s.spec.selector, labels), 'Service selects the pods');
    const ports = d.spec.template.spec.containers[0].ports;
    for (const p of s.spec.ports) assert.ok(ports.some((cp: Doc) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `targetPort ${p.targetPort}`);
    const pdb = byKind('PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.ok(subset(pdb.spec.selector.matchLabels, labels), 'budget selects the pods');
    assert.ok(pdb.spec.maxUnavailable >= 1 && pdb.spec.maxUnavailable < d.spec.replicas);
  });
});

describe('Containerfile', () => {
  const text = readFileSync(join(root, 'Containerfile'), 'utf8');
  // Instructions with their continuation lines joined.
  const lines = text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const instr = (name: string) => lines.filter((l) => l.startsWith(name + ' ')).map((l) => l.slice(name.length + 1).trim());

  test('multi-stage; copies only files that exist', () => {
    assert.ok(instr('FROM').length >= 2, 'a build stage and a run stage');
    for (const c of instr('COPY').filter((c) => !c.startsWith('--from'))) {
      const sources = c.split(/\s+/).slice(0, -1);
      for (const s of sources) assert.ok(existsSync(join(root, s)), `COPY source ${s}`);
    }
  });

  test('non-root, state in the /data volume, a health check, the server as its command', () => {
    const user = instr('USER').at(-1);
    assert.ok(user && user !== 'root' && user !== '0', `runs as ${user}`);
    assert.deepEqual(instr('VOLUME'), ['/data']);
    assert.match(instr('ENV').join(' '), /TXGATE_DATADIR=\/data/);
    assert.match(instr('ENV').join(' '), /TXGATE_HOST=0\.0\.0\.0/);
    const port = /TXGATE_PORT=(\d+)/.exec(instr('ENV').join(' '))?.[1];
    const health = /TXGATE_HEALTH_PORT=(\d+)/.exec(instr('ENV').join(' '))?.[1];
    assert.ok(health && health !== port, 'the health listener on a port of its own');
    assert.deepEqual(instr('EXPOSE'), [`${port} ${health}`]);
    // The check asks the health listener, which a flood on the API port cannot starve.
    assert.match(instr('HEALTHCHECK')[0] ?? '', /TXGATE_HEALTH_PORT\}\/health/);
    assert.match(instr('CMD').at(-1) ?? '', /src\/runtime\/serve\.ts/);
  });
});
