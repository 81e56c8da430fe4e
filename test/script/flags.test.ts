/**
 * SCRIPT_VERIFY_* (script/interpreter.h): the bit of every flag as Core numbers them,
 * Core's ParseScriptFlags spelling (comma-separated names, "" and NONE for none, unknown
 * names rejected) and the inverse formatting in Core's order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FLAGS, formatFlags, parseFlags, SCRIPT_VERIFY } from '../../src/script/flags.ts';

/** Core's enum, bit by bit (script/interpreter.h). */
const CORE_BITS: [string, number][] = [
  ['P2SH', 0], ['STRICTENC', 1], ['DERSIG', 2], ['LOW_S', 3], ['NULLDUMMY', 4], ['SIGPUSHONLY', 5], ['MINIMALDATA', 6],
  ['DISCOURAGE_UPGRADABLE_NOPS', 7], ['CLEANSTACK', 8], ['CHECKLOCKTIMEVERIFY', 9], ['CHECKSEQUENCEVERIFY', 10], ['WITNESS', 11],
  ['DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM', 12], ['MINIMALIF', 13], ['NULLFAIL', 14], ['WITNESS_PUBKEYTYPE', 15],
  ['CONST_SCRIPTCODE', 16], ['TAPROOT', 17], ['DISCOURAGE_UPGRADABLE_TAPROOT_VERSION', 18], ['DISCOURAGE_OP_SUCCESS', 19],
  ['DISCOURAGE_UPGRADABLE_PUBKEYTYPE', 20],
];

test('every flag has Core’s bit; ALL_FLAGS is their union', () => {
  for (const [name, bit] of CORE_BITS) assert.equal(SCRIPT_VERIFY[name as keyof typeof SCRIPT_VERIFY], 2 ** bit, name);
  assert.equal(SCRIPT_VERIFY.NONE, 0);
  assert.equal(Object.keys(SCRIPT_VERIFY).length, CORE_BITS.length + 1);
  assert.equal(ALL_FLAGS, 2 ** 21 - 1);
});

test('ParseScriptFlags: names joined by commas (blanks around them ignored); "" and NONE are 0', () => {
  assert.equal(parseFlags(''), 0);
  assert.equal(parseFlags('  '), 0);
  assert.equal(parseFlags('NONE'), 0);
  assert.equal(parseFlags('P2SH'), 1);
  assert.equal(parseFlags('P2SH,WITNESS'), 1 | 2048);
  assert.equal(parseFlags(' DERSIG , LOW_S '), 4 | 8);
  assert.equal(parseFlags('P2SH,NONE,P2SH'), 1);
  assert.equal(parseFlags(CORE_BITS.map(([n]) => n).join(',')), ALL_FLAGS);
});

test('ParseScriptFlags: an unknown or empty name throws, naming it', () => {
  assert.throws(() => parseFlags('P2SH,BOGUS'), /unknown script verify flag: "BOGUS"/);
  assert.throws(() => parseFlags('p2sh'), /"p2sh"/);
  assert.throws(() => parseFlags('P2SH,'), /unknown script verify flag: ""/);
  assert.throws(() => parseFlags('toString'), /"toString"/);
});

test('formatFlags: the set flags by name in Core’s order; parseFlags reads it back', () => {
  assert.equal(formatFlags(0), '');
  assert.equal(formatFlags(2048 | 1), 'P2SH,WITNESS');
  assert.equal(formatFlags(ALL_FLAGS), CORE_BITS.map(([n]) => n).join(','));
  assert.equal(formatFlags(2 ** 21), '', 'undefined bits are not named');
  for (const f of [1, 5, 0x1fffff, 0x20e05, 0x100000]) assert.equal(parseFlags(formatFlags(f)), f);
});
