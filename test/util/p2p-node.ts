/**
 * An in-memory regtest TxgateNode following peers through a P2PManager (the real TCP client
 * of this runtime), with short timeouts for tests and benches.
 */
import { TxgateNode } from '../../src/node/node.ts';
import { p2pNode } from '../../src/node/p2p-deps.ts';
import { P2PManager, type P2POptions } from '../../src/p2p/manager.ts';
import { connectTcp } from '../../src/runtime/p2p-socket.ts';

export interface P2PTestNode {
  node: TxgateNode;
  p2p: P2PManager;
  log: string[];
  close(): Promise<void>;
}

export async function startP2PNode(ports: number[], opts: Partial<P2POptions> = {}): Promise<P2PTestNode> {
  const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
  const log: string[] = [];
  const p2p = new P2PManager({
    node: p2pNode(node), params: node.params, connect: connectTcp, targets: ports.map((port) => ({ host: '127.0.0.1', port })),
    log: (l) => log.push(l), reconnectDelay: 200, progressInterval: 1000,
    download: { stallTimeout: 5000 }, ...opts,
  });
  p2p.start();
  return {
    node, p2p, log,
    close: async () => {
      p2p.close();
      await node.close();
    },
  };
}
