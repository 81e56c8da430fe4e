/**
 * BIP342 OP_SUCCESSx (IsOpSuccess): the opcodes 80, 98, 126–129, 131–134, 137–138, 141–142,
 * 149–153 and 187–254 as BIP342 lists them, checked against every byte value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOpSuccess } from '../../src/script/opcodes.ts';

const RANGES: [number, number][] = [[80, 80], [98, 98], [126, 129], [131, 134], [137, 138], [141, 142], [149, 153], [187, 254]];

test('IsOpSuccess is true exactly for the BIP342 list', () => {
  for (let op = 0; op < 256; op++) {
    assert.equal(isOpSuccess(op), RANGES.some(([a, z]) => op >= a && op <= z), `opcode ${op}`);
  }
});
